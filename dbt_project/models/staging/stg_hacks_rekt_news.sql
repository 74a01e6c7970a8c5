-- rekt.news leaderboard entries, as published (typed and deduplicated only). amount_usd is
-- rekt.news's own valuation, not necessarily at the time of the incident.
with deduplicated as (

    {{ latest_source_rows('hacks_rekt_news') }}

),

renamed as (

    select
        cast(slug as {{ dbt.type_string() }}) as slug,
        cast(source_id as {{ dbt.type_string() }}) as source_id,
        trim(title) as title,
        cast(incident_date as date) as incident_date,
        cast(published_date as date) as published_date,
        cast(amount_usd as {{ type_double() }}) as amount_usd,
        cast(audit as {{ dbt.type_string() }}) as audit,
        tags,
        {{ staged_lineage_columns() }}
    from deduplicated

)

select * from renamed

-- rekt.news leaderboard entries, as published (typed and deduplicated only). amount_usd is
-- rekt.news's own valuation, not necessarily at the time of the incident.
with source as (

    select * from {{ source('raw', 'hacks_rekt_news') }}

),

deduplicated as (

    select
        *,
        row_number() over (
            partition by source_id, slug
            order by loaded_at desc, source_line
        ) as row_num
    from source

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
        cast(origin as {{ dbt.type_string() }}) as origin,
        cast(payload_sha256 as {{ dbt.type_string() }}) as payload_sha256,
        cast(source_line as integer) as source_line,
        {{ to_utc_timestamp('loaded_at') }} as loaded_at_utc
    from deduplicated
    where row_num = 1

)

select * from renamed

-- Macro and corporate calendar events (FOMC decisions, CPI/NFP releases, earnings dates),
-- typed and deduplicated within each source. Several sources may list the same event
-- (FOMC appears in two files): rows are kept per source.
with deduplicated as (

    {{ latest_source_rows('calendar_events') }}

),

renamed as (

    select
        cast(source_id as {{ dbt.type_string() }}) as source_id,
        cast(event_date as date) as event_date,
        lower(cast(event_type as {{ dbt.type_string() }})) as event_type,
        cast(event_name as {{ dbt.type_string() }}) as event_name,
        upper(cast(ticker as {{ dbt.type_string() }})) as ticker,
        upper(cast(timing as {{ dbt.type_string() }})) as timing,
        {{ staged_lineage_columns() }}
    from deduplicated

)

select * from renamed

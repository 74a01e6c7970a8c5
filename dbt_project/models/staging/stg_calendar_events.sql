-- Macro and corporate calendar events (FOMC decisions, CPI/NFP releases, earnings dates),
-- typed and deduplicated within each source. Several sources may list the same event
-- (FOMC appears in two files): rows are kept per source.
with source as (

    select * from {{ source('raw', 'calendar_events') }}

),

deduplicated as (

    select
        *,
        row_number() over (
            partition by source_id, event_date, event_type, ticker
            order by loaded_at desc, source_line
        ) as row_num
    from source

),

renamed as (

    select
        cast(source_id as {{ dbt.type_string() }}) as source_id,
        cast(event_date as date) as event_date,
        lower(cast(event_type as {{ dbt.type_string() }})) as event_type,
        cast(event_name as {{ dbt.type_string() }}) as event_name,
        upper(cast(ticker as {{ dbt.type_string() }})) as ticker,
        upper(cast(timing as {{ dbt.type_string() }})) as timing,
        cast(origin as {{ dbt.type_string() }}) as origin,
        cast(payload_sha256 as {{ dbt.type_string() }}) as payload_sha256,
        cast(source_line as integer) as source_line,
        {{ to_utc_timestamp('loaded_at') }} as loaded_at_utc
    from deduplicated
    where row_num = 1

)

select * from renamed

-- Curated events (EVENTS_FILE): typed; date-only events start at 00:00 UTC of that day.
select
    cast(event_id as {{ dbt.type_string() }}) as event_id,
    cast(event_name as {{ dbt.type_string() }}) as event_name,
    lower(cast(event_type as {{ dbt.type_string() }})) as event_type,
    cast(event_time_utc as timestamp) as event_time_utc,
    cast(has_time as boolean) as has_time,
    lower(nullif(trim(asset_id), '')) as asset_id,
    cast(amount_usd as double) as amount_usd,
    cast(source_url as {{ dbt.type_string() }}) as source_url,
    cast(notes as {{ dbt.type_string() }}) as notes,
    cast(source_line as integer) as source_line
from {{ source('raw', 'events') }}

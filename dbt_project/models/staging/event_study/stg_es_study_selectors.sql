-- A study's `events` entries: an event id (event_id set) or a selector (event_id null).
select
    cast(study_id as {{ dbt.type_string() }}) as study_id,
    cast(position as integer) as position,
    cast(event_id as {{ dbt.type_string() }}) as event_id,
    lower(cast(event_type as {{ dbt.type_string() }})) as event_type,
    cast(min_amount_usd as double) as min_amount_usd
from {{ source('raw', 'study_selectors') }}

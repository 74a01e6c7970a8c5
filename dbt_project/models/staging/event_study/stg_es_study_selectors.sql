-- A study's `events` entries: an event id (event_id set) or a selector (event_id null).
select
    cast(study_id as varchar) as study_id,
    cast(position as integer) as position,
    cast(event_id as varchar) as event_id,
    lower(cast(event_type as varchar)) as event_type,
    cast(min_amount_usd as double) as min_amount_usd
from {{ source('raw', 'study_selectors') }}

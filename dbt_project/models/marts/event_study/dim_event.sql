-- Every event: the curated catalogue (EVENTS_FILE) and large hacks from the hack data.
select
    event_id,
    event_name,
    event_type,
    event_time_utc,
    event_date,
    asset_id,
    amount_usd,
    source_url
from {{ ref('int_es_events') }}

-- The events each study selects: by id, or by selector (event_type and/or min_amount_usd).
select distinct
    selectors.study_id,
    events.event_id
from {{ ref('stg_es_study_selectors') }} as selectors
inner join {{ ref('int_es_events') }} as events
    on selectors.event_id = events.event_id
    or (
        selectors.event_id is null
        and (selectors.event_type is null or selectors.event_type = events.event_type)
        and (selectors.min_amount_usd is null or selectors.min_amount_usd <= events.amount_usd)
    )

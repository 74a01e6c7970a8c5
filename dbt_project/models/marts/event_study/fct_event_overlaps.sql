-- Overlap flags: for each pair that has a day 0, every OTHER catalogued event relevant to the
-- asset (market-wide, i.e. no asset, or about this asset) whose own day 0 on the asset's
-- calendar (same anchor) falls inside the pair's estimation window or one of its event windows.
-- Filter contaminated results with NOT EXISTS on (study_id, event_id, asset_id).
with pairs as (

    select p.study_id, p.event_id, p.asset_id, p.anchor, p.estimation_start, p.estimation_end,
        d.day0_idx
    from {{ ref('int_es_pairs') }} as p
    inner join {{ ref('int_es_pair_day0') }} as d using (study_id, event_id, asset_id)
    where d.day0_idx is not null

),

asset_events as (

    select distinct pairs.asset_id, pairs.anchor, e.event_id, e.event_type, e.event_time_utc
    from (select distinct asset_id, anchor from pairs) as pairs
    inner join {{ ref('int_es_events') }} as e
        on e.asset_id is null or e.asset_id = pairs.asset_id

),

sessions as (

    select asset_id, session_idx, close_utc from {{ ref('int_es_asset_sessions') }}

),

nxt as (

    select ae.*, s.session_idx
    from asset_events as ae
    asof inner join sessions as s on ae.asset_id = s.asset_id and ae.event_time_utc < s.close_utc
    where ae.anchor = 'next'

),

prv as (

    select ae.*, s.session_idx
    from asset_events as ae
    asof inner join sessions as s on ae.asset_id = s.asset_id and ae.event_time_utc >= s.close_utc
    where ae.anchor = 'previous'

),

other_day0 as (

    select * from nxt union all select * from prv

),

candidates as (

    select
        pairs.study_id, pairs.event_id, pairs.asset_id,
        o.event_id as overlapping_event_id,
        o.event_type as overlapping_event_type,
        o.session_idx - pairs.day0_idx as overlapping_relative_day,
        pairs.estimation_start, pairs.estimation_end
    from pairs
    inner join other_day0 as o
        on o.asset_id = pairs.asset_id and o.anchor = pairs.anchor
        and o.event_id <> pairs.event_id

)

select
    c.study_id,
    c.event_id,
    c.asset_id,
    c.overlapping_event_id,
    c.overlapping_event_type,
    cast(c.overlapping_relative_day as integer) as overlapping_relative_day,
    case when c.overlapping_relative_day between c.estimation_start and c.estimation_end
        then 'estimation' else 'event' end as window_kind
from candidates as c
where c.overlapping_relative_day between c.estimation_start and c.estimation_end
    or exists (
        select 1 from {{ ref('stg_es_study_event_windows') }} as w
        where w.study_id = c.study_id
            and c.overlapping_relative_day between w.window_start and w.window_end
    )

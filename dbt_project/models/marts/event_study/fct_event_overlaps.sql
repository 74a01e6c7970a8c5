-- Overlap flags: for each pair that has a day 0, every OTHER catalogued event relevant to the
-- asset (market-wide, i.e. no asset, or about this asset) whose own day 0 on the asset's
-- calendar (same anchor, macro es_day0) falls inside the pair's estimation window or one of its
-- event windows. Found once per estimation unit (study, asset, day 0) by looking up the unit's
-- window days, then given to the unit's pairs. Filter contaminated results with NOT EXISTS on
-- (study_id, event_id, asset_id).
with units as (

    select f.window_id, f.study_id, f.asset_id, f.day0_idx, s.anchor
    from {{ ref('int_es_window_fit') }} as f
    inner join {{ ref('stg_es_studies') }} as s on f.study_id = s.study_id

),

asset_events as (

    select distinct a.asset_id, a.anchor, e.event_id, e.event_type, e.event_time_utc
    from (select distinct asset_id, anchor from units) as a
    inner join {{ ref('int_es_events') }} as e
        on e.asset_id is null or a.asset_id = e.asset_id

),

sessions as (

    select asset_id, session_idx, session_date, open_utc, close_utc
    from {{ ref('int_es_asset_sessions') }}

),

event_day0 as (

    {{ es_day0('asset_events', 'sessions') }}

),

unit_overlaps as (

    select
        u.window_id, o.event_id as overlapping_event_id, o.event_type as overlapping_event_type,
        d.relative_day,
        case when d.in_estimation_window then 'estimation' else 'event' end as window_kind
    from units as u
    inner join {{ ref('int_es_study_days') }} as d on u.study_id = d.study_id
    inner join event_day0 as o
        on u.asset_id = o.asset_id and u.anchor = o.anchor
        and o.session_idx = u.day0_idx + d.relative_day

)

select
    s.study_id,
    s.event_id,
    s.asset_id,
    o.overlapping_event_id,
    o.overlapping_event_type,
    cast(o.relative_day as integer) as overlapping_relative_day,
    o.window_kind
from {{ ref('int_es_pair_status') }} as s
inner join unit_overlaps as o on s.window_id = o.window_id
where o.overlapping_event_id <> s.event_id

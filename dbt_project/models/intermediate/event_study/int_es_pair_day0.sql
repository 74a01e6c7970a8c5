-- Day 0 of each pair on the asset's own calendar by the study's anchor (macro es_day0: next = the
-- first session closing after the event instant; previous = the session in progress at the
-- instant or, when the market is closed, the last one before it). Sessions are those within the
-- asset's price history, so an event dated before the first session or after the day after the
-- last gets no day 0.
with pairs as (

    select study_id, event_id, asset_id, anchor, event_time_utc
    from {{ ref('int_es_pairs') }}
    where setup_problem is null

),

sessions as (

    select asset_id, session_idx, session_date, open_utc, close_utc
    from {{ ref('int_es_asset_sessions') }}

),

bounds as (

    select asset_id, min(session_date) as first_date, max(session_date) as last_date
    from sessions group by asset_id

),

anchored as (

    {{ es_day0('pairs', 'sessions') }}

)

select
    p.study_id,
    p.event_id,
    p.asset_id,
    case when cast(p.event_time_utc as date) between b.first_date and b.last_date + 1
        then a.session_idx end as day0_idx,
    case when cast(p.event_time_utc as date) between b.first_date and b.last_date + 1
        then a.session_date end as day0_date
from pairs as p
left join bounds as b on p.asset_id = b.asset_id
left join anchored as a
    on p.study_id = a.study_id and p.event_id = a.event_id and p.asset_id = a.asset_id

-- Day 0 of each pair on the asset's own calendar, from the sessions' real close instants:
-- next = first session whose close is after the event instant; previous = last session whose
-- close is at or before it. Sessions are those within the asset's price history, so an event
-- beyond the data gets no day 0.
with pairs as (

    select * from {{ ref('int_es_pairs') }} where setup_problem is null

),

sessions as (

    select asset_id, session_idx, session_date, close_utc, close, simple_return
    from {{ ref('int_es_asset_sessions') }}

),

bounds as (

    select asset_id, min(session_date) as first_date, max(session_date) as last_date
    from sessions group by asset_id

),

nxt as (

    select p.study_id, p.event_id, p.asset_id, s.session_idx, s.session_date
    from pairs as p
    asof inner join sessions as s
        on p.asset_id = s.asset_id and p.event_time_utc < s.close_utc

),

prv as (

    select p.study_id, p.event_id, p.asset_id, s.session_idx, s.session_date
    from pairs as p
    asof inner join sessions as s
        on p.asset_id = s.asset_id and p.event_time_utc >= s.close_utc

)

select
    p.study_id,
    p.event_id,
    p.asset_id,
    case
        when cast(p.event_time_utc as date) < b.first_date
            or cast(p.event_time_utc as date) > b.last_date + 1 then null
        when p.anchor = 'next' then nxt.session_idx
        else prv.session_idx
    end as day0_idx,
    case
        when cast(p.event_time_utc as date) < b.first_date
            or cast(p.event_time_utc as date) > b.last_date + 1 then null
        when p.anchor = 'next' then nxt.session_date
        else prv.session_date
    end as day0_date
from pairs as p
left join bounds as b on p.asset_id = b.asset_id
left join nxt
    on p.study_id = nxt.study_id and p.event_id = nxt.event_id and p.asset_id = nxt.asset_id
left join prv
    on p.study_id = prv.study_id and p.event_id = prv.event_id and p.asset_id = prv.asset_id

-- Every candidate pair with day 0 on the asset's own calendar by the study's anchor (macro
-- es_day0: next = the first session closing after the event instant; previous = the session in
-- progress at the instant or, when the market is closed, the last one before it). Sessions are
-- those within the asset's price history, so an event dated before the first session or after
-- the day after the last gets no day 0; pairs with a set-up problem get none either.
with pairs as (

    select study_id, event_id, asset_id, anchor, event_time_utc, series_id, setup_problem
    from {{ ref('int_es_pairs') }}

),

sessions as (

    select asset_id, session_idx, session_date, open_utc, close_utc
    from {{ ref('int_es_asset_sessions') }}

),

bounds as (

    select asset_id, min(session_date) as first_date, max(session_date) as last_date
    from sessions
    group by asset_id

),

anchored as (

    {{ es_day0('pairs', 'sessions') }}

),

in_data as (

    select
        a.*,
        a.setup_problem is null
        and cast(a.event_time_utc as date) between b.first_date and b.last_date + 1 as has_day0
    from anchored as a
    left join bounds as b on a.asset_id = b.asset_id

)

select
    study_id,
    event_id,
    asset_id,
    series_id,
    setup_problem,
    case when has_day0 then session_idx end as day0_idx,
    case when has_day0 then session_date end as day0_date
from in_data

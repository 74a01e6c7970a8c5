-- Candidate (study, event, asset) pairs with what is needed to find day 0. asset_id is the
-- resolved asset (or the unresolved reference when the asset is unknown); problems found here
-- are in setup_problem and end up in fct_event_study_exclusions, with those of the (study, asset)
-- pairing (int_es_study_asset_setup). series_id is the integer id of the (study, asset) series of
-- pairs without a problem (int_es_series holds its parameters); integer keys and few columns keep
-- the engine's pair-level joins and writes cheap.
with study_events as (

    select se.study_id, e.event_id, e.event_time_utc, e.asset_id as event_asset_id
    from {{ ref('int_es_study_events') }} as se
    inner join {{ ref('int_es_events') }} as e on se.event_id = e.event_id

),

refs as (

    select
        se.study_id,
        se.event_id,
        se.event_time_utc,
        sa.asset_ref,
        case when sa.asset_ref = 'event' then se.event_asset_id else sa.asset_ref end as asset_key
    from study_events as se
    inner join {{ ref('stg_es_study_assets') }} as sa on se.study_id = sa.study_id

),

resolved as (

    -- by asset id (also `event`)
    select
        refs.study_id, refs.event_id, refs.event_time_utc, d.asset_id,
        cast(null as {{ dbt.type_string() }}) as setup_problem
    from refs inner join {{ ref('int_es_assets') }} as d on refs.asset_key = d.asset_id
    union
    -- by asset class
    select refs.study_id, refs.event_id, refs.event_time_utc, d.asset_id, null
    from refs inner join {{ ref('int_es_assets') }} as d on refs.asset_ref = d.asset_class
    where refs.asset_ref <> 'event'
    union
    -- unknown
    select
        refs.study_id, refs.event_id, refs.event_time_utc,
        coalesce(refs.asset_key, refs.asset_ref),
        case
            when refs.asset_ref = 'event' and refs.asset_key is null then 'event has no asset'
            else 'unknown asset'
        end
    from refs
    where refs.asset_key is null
        or (
            not exists (
                select 1 from {{ ref('int_es_assets') }} as d
                where d.asset_id = refs.asset_key
            )
            and not exists (
                select 1 from {{ ref('int_es_assets') }} as d
                where d.asset_class = refs.asset_ref
            )
        )

)

select
    r.study_id,
    r.event_id,
    r.asset_id,
    r.event_time_utc,
    s.anchor,
    -- the event's own problem first, else the (study, asset) pairing's, found without the events
    coalesce(r.setup_problem, sa.setup_problem) as setup_problem,
    case when r.setup_problem is null then sa.series_id end as series_id
from resolved as r
inner join {{ ref('stg_es_studies') }} as s on r.study_id = s.study_id
left join {{ ref('int_es_study_asset_setup') }} as sa
    on r.study_id = sa.study_id and r.asset_id = sa.asset_id

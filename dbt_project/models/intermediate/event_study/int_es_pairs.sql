-- Candidate (study, event, asset) pairs with what is needed to find day 0. asset_id is the
-- resolved asset (or the unresolved reference when the asset is unknown); problems found here
-- are in setup_problem and end up in fct_event_study_exclusions. series_id is an integer id of
-- the (study, asset) series of pairs without a problem (int_es_series holds its parameters);
-- integer keys and few columns keep the engine's pair-level joins and writes cheap.
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

studies as (

    select *, row_number() over (order by study_id) as study_num
    from {{ ref('stg_es_studies') }}

),

assets as (

    select *, row_number() over (order by asset_id) as asset_num
    from {{ ref('int_es_assets') }}

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

),

candidates as (

    select
        r.study_id,
        r.event_id,
        r.asset_id,
        r.event_time_utc,
        s.anchor,
        case
            when r.setup_problem is not null then r.setup_problem
            when s.model in ('market_adjusted', 'market_model')
                and coalesce(s.benchmark_asset_id, d.benchmark_asset_id) is null then 'no benchmark'
            when coalesce(s.benchmark_asset_id, d.benchmark_asset_id) is not null
                and not exists (
                    select 1 from {{ ref('int_es_assets') }} as b
                    where b.asset_id = coalesce(s.benchmark_asset_id, d.benchmark_asset_id)
                ) then 'unknown benchmark'
            when s.model in ('market_adjusted', 'market_model')
                and coalesce(s.benchmark_asset_id, d.benchmark_asset_id) = r.asset_id
                then 'asset is its own benchmark'
            -- a flow series has no price to take returns of; a price series has no level to read
            when (d.asset_class = 'flow') <> (s.return_type = 'level')
                then 'returns: level is for flow series only'
        end as setup_problem,
        s.study_num * 100000 + d.asset_num as series_key
    from resolved as r
    inner join studies as s on r.study_id = s.study_id
    left join assets as d on r.asset_id = d.asset_id

)

select
    study_id,
    event_id,
    asset_id,
    event_time_utc,
    anchor,
    setup_problem,
    case when setup_problem is null then series_key end as series_id
from candidates

-- One row per study and asset its asset list reaches (by asset id, by asset class, or, for
-- `event`, every asset: whichever an event names), with the set-up problem of pairing the two,
-- if any, else the integer id of their series (int_es_series). Events play no part, so an edit
-- of the events alone leaves the series, their returns and their estimation sums as they are:
-- make study rebuilds what descends from the tables that changed, and the sums over each series
-- are the costliest step of the chain. A series no event pairs costs its sums and nothing more.
with studies as (

    select *, row_number() over (order by study_id) as study_num
    from {{ ref('stg_es_studies') }}

),

assets as (

    select *, row_number() over (order by asset_id) as asset_num
    from {{ ref('int_es_assets') }}

),

reached as (

    select distinct sa.study_id, d.asset_id
    from {{ ref('stg_es_study_assets') }} as sa
    inner join assets as d
        on sa.asset_ref = 'event' or sa.asset_ref = d.asset_id or sa.asset_ref = d.asset_class

),

checked as (

    select
        r.study_id,
        r.asset_id,
        case
            when s.model in ('market_adjusted', 'market_model')
                and coalesce(s.benchmark_asset_id, d.benchmark_asset_id) is null then 'no benchmark'
            when coalesce(s.benchmark_asset_id, d.benchmark_asset_id) is not null
                and not exists (
                    select 1 from assets as b
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
    from reached as r
    inner join studies as s on r.study_id = s.study_id
    inner join assets as d on r.asset_id = d.asset_id

)

select
    study_id,
    asset_id,
    setup_problem,
    case when setup_problem is null then series_key end as series_id
from checked

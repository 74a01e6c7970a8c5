-- One row per pair and relative day of its estimation window and event windows (sessions of the
-- asset's calendar within its price history), with the study's return type applied.
with study_days as (

    select study_id, unnest(range(estimation_start, estimation_end + 1)) as relative_day,
        true as in_estimation
    from {{ ref('stg_es_studies') }}
    union
    select study_id, unnest(range(window_start, window_end + 1)), false
    from {{ ref('stg_es_study_event_windows') }}

),

pairs as (

    select p.*, d.day0_idx, d.day0_date
    from {{ ref('int_es_pairs') }} as p
    inner join {{ ref('int_es_pair_day0') }} as d using (study_id, event_id, asset_id)
    where d.day0_idx is not null

)

select
    pairs.study_id,
    pairs.event_id,
    pairs.asset_id,
    pairs.benchmark_asset_id,
    pairs.model,
    study_days.relative_day,
    study_days.in_estimation,
    r.session_date as trade_date,
    case pairs.return_type when 'log' then r.log_return else r.simple_return end as actual_return,
    case pairs.return_type when 'log' then r.benchmark_log_return else r.benchmark_simple_return end as benchmark_return
from pairs
inner join study_days on pairs.study_id = study_days.study_id
inner join {{ ref('int_es_pair_returns') }} as r
    on r.asset_id = pairs.asset_id
    and r.benchmark_asset_id is not distinct from pairs.benchmark_asset_id
    and r.session_idx = pairs.day0_idx + study_days.relative_day

-- Normal-return model fitted on each included pair's estimation window (its unit's fit).
select
    s.study_id,
    s.event_id,
    s.asset_id,
    w.model,
    w.benchmark_asset_id,
    w.day0_date,
    w.estimation_start_date,
    w.estimation_end_date,
    cast(w.n_estimation_days as integer) as n_estimation_days,
    w.alpha,
    w.beta,
    sqrt(w.sigma2) as sigma,
    w.r_squared
from {{ ref('int_es_pair_status') }} as s
inner join {{ ref('int_es_window_fit') }} as w on s.window_id = w.window_id
where s.reason is null

-- Normal-return model fitted on each included pair's estimation window.
select
    f.study_id,
    f.event_id,
    f.asset_id,
    f.model,
    s.benchmark_asset_id,
    s.day0_date,
    f.estimation_start_date,
    f.estimation_end_date,
    cast(f.n_estimation_days as integer) as n_estimation_days,
    f.alpha,
    f.beta,
    f.sigma,
    f.r_squared
from {{ ref('int_es_model_fit') }} as f
inner join {{ ref('int_es_pair_status') }} as s using (study_id, event_id, asset_id)
where s.reason is null

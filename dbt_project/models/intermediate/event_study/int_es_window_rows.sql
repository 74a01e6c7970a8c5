-- One row per included estimation unit (int_es_window_fit) and relative day of its study's
-- estimation window and event windows that has a session within the asset's data: returns, the
-- model's expected and abnormal return, and the prediction-error variance (event days: market
-- model s^2 [1 + 1/L + (R_m - mean R_m)^2 / S_xx], mean-adjusted s^2 (1 + 1/L), else s^2;
-- estimation days s^2). A view: each reader (fct_abnormal_returns, fct_car, the statistics)
-- computes only the rows it reads, and nothing of pairs x days is stored.
{#- a table on Spark: a view there is recomputed for every reader (and any engine reads a
    table's Parquet) -#}
{{ config(materialized='table' if target.type == 'spark' else 'view') }}
with units as (

    select
        window_id, series_id, study_id, day0_idx, model, alpha, beta, sigma2,
        n_estimation_days, mean_m, s_xx
    from {{ ref('int_es_window_fit') }}
    where reason is null

),

expected as (

    select
        u.window_id,
        u.study_id,
        cast(d.relative_day as integer) as relative_day,
        d.in_estimation_window,
        s.session_date as trade_date,
        s.actual_return,
        s.benchmark_return,
        case u.model
            when 'raw' then 0.0
            when 'mean_adjusted' then u.alpha
            when 'market_adjusted' then s.benchmark_return
            else u.alpha + u.beta * s.benchmark_return
        end as expected_return,
        s.benchmark_return - u.mean_m as benchmark_deviation,
        case
            when d.in_estimation_window then u.sigma2
            when u.model = 'mean_adjusted' then u.sigma2 * (1 + 1.0 / u.n_estimation_days)
            when u.model = 'market_model'
                then u.sigma2 * (
                    1 + 1.0 / u.n_estimation_days
                    + power(s.benchmark_return - u.mean_m, 2) / u.s_xx
                )
            else u.sigma2
        end as prediction_variance
    from units as u
    inner join {{ ref('int_es_study_days') }} as d on u.study_id = d.study_id
    inner join {{ ref('int_es_estimation_sums') }} as s
        on u.series_id = s.series_id and s.session_idx = u.day0_idx + d.relative_day

)

select *, actual_return - expected_return as abnormal_return
from expected

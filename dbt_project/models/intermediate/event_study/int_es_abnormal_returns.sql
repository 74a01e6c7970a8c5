-- Abnormal returns of included pairs on every estimation and event-window day. Standardised by
-- the prediction-error variance V_t on event days (market model: s^2 [1 + 1/L + (Rm - mean Rm)^2
-- / Sxx]; mean-adjusted: s^2 (1 + 1/L); raw and market-adjusted: s^2) and by s on estimation days.
select
    w.study_id,
    w.event_id,
    w.asset_id,
    w.relative_day,
    w.trade_date,
    w.in_estimation,
    w.actual_return,
    w.benchmark_return,
    f.model,
    f.n_estimation_days,
    f.n_model_params,
    f.sigma2,
    f.s_xx,
    w.benchmark_return - f.mean_m as benchmark_deviation,
    case f.model
        when 'raw' then 0.0
        when 'mean_adjusted' then f.alpha
        when 'market_adjusted' then w.benchmark_return
        else f.alpha + f.beta * w.benchmark_return
    end as expected_return,
    w.actual_return - (case f.model
        when 'raw' then 0.0
        when 'mean_adjusted' then f.alpha
        when 'market_adjusted' then w.benchmark_return
        else f.alpha + f.beta * w.benchmark_return
    end) as abnormal_return,
    case
        when w.in_estimation then f.sigma2
        when f.model = 'mean_adjusted' then f.sigma2 * (1 + 1.0 / f.n_estimation_days)
        when f.model = 'market_model' then f.sigma2 * (
            1 + 1.0 / f.n_estimation_days + power(w.benchmark_return - f.mean_m, 2) / f.s_xx)
        else f.sigma2
    end as prediction_variance
from {{ ref('int_es_window_rows') }} as w
inner join {{ ref('int_es_pair_status') }} as s using (study_id, event_id, asset_id)
inner join {{ ref('int_es_model_fit') }} as f using (study_id, event_id, asset_id)
where s.reason is null

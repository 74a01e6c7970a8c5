-- One row per estimation unit: a study, an asset and a day 0. Pairs of one study and asset whose
-- events share a day 0 share their estimation window, fit, abnormal returns and CARs, so each
-- unit is fitted once (n_pairs = the pairs it stands for). The fit is a lookup of the window
-- sums at day 0 (int_es_estimation_sums, deviations e and dx from the series' reference fit):
-- S_xx = sum dx^2 - (sum dx)^2 / L, C_ex and C_ee likewise; market model b = ref_beta + C_ex/S_xx,
-- a = mean(R) - b mean(R_m), SSE = C_ee - C_ex^2 / S_xx; s^2 = SSE / (L - K). A unit whose
-- returns (or, market model, benchmark) are constant gets exactly s^2 = 0 (S_xx = 0).
with units as (

    select series_id, day0_idx, any_value(day0_date) as day0_date, count(*) as n_pairs
    from {{ ref('int_es_pair_day0') }}
    where day0_idx is not null
    group by series_id, day0_idx

),

centred as (

    select
        u.*,
        r.study_id, r.asset_id, r.benchmark_asset_id, r.model, r.return_type, r.n_model_params,
        r.min_estimation_days,
        s.actual_return as day0_return, s.benchmark_return as day0_benchmark_return,
        s.n_estimation_days, s.estimation_start_date, s.estimation_end_date,
        s.ref_alpha, s.ref_beta, s.constant_benchmark, s.constant_returns,
        s.ref_mean_x + s.sum_dx / s.n_estimation_days as mean_m,
        s.sum_e / s.n_estimation_days as mean_e,
        s.sum_dx2 - s.sum_dx * s.sum_dx / s.n_estimation_days as s_xx,
        s.sum_edx - s.sum_e * s.sum_dx / s.n_estimation_days as c_ex,
        s.sum_e2 - s.sum_e * s.sum_e / s.n_estimation_days as c_ee,
        s.sum_e2
    from units as u
    inner join {{ ref('int_es_series') }} as r on u.series_id = r.series_id
    inner join {{ ref('int_es_estimation_sums') }} as s
        on u.series_id = s.series_id and u.day0_idx = s.session_idx

),

fitted as (

    select
        *,
        ref_alpha + mean_e + case when model = 'market_model' then ref_beta * mean_m else 0.0 end
        + case when model = 'market_adjusted' then mean_m else 0.0 end as mean_r,
        case model
            when 'market_model' then ref_beta + c_ex / nullif(s_xx, 0)
            when 'market_adjusted' then 1.0
        end as beta,
        case
            when constant_returns then 0.0
            else greatest(case model
                    when 'market_model' then c_ee - c_ex * c_ex / nullif(s_xx, 0)
                    when 'mean_adjusted' then c_ee
                    else sum_e2
                end, 0.0)
        end as sse
    from centred

)

select
    row_number() over (order by series_id, day0_idx) as window_id,
    study_id, asset_id, day0_idx, day0_date, series_id, benchmark_asset_id, model, return_type,
    n_model_params, n_pairs, n_estimation_days, estimation_start_date, estimation_end_date,
    mean_r, mean_m, s_xx,
    case model
        when 'market_model' then mean_r - beta * mean_m
        when 'mean_adjusted' then mean_r
        else 0.0
    end as alpha,
    beta,
    case
        when n_estimation_days - n_model_params >= 1
            then sse / (n_estimation_days - n_model_params)
    end as sigma2,
    case
        when model = 'market_model'
            then power(ref_beta * s_xx + c_ex, 2)
            / nullif(s_xx * (ref_beta * ref_beta * s_xx + 2 * ref_beta * c_ex + c_ee), 0)
    end as r_squared,
    -- mean and centred sum of squares of the estimation residuals (Kolari-Pynnonen)
    case when model in ('raw', 'market_adjusted') then mean_e else 0.0 end as resid_mean,
    case when model = 'market_model' then sse else c_ee end as resid_css,
    case
        when day0_return is null then 'no price on day 0'
        when model in ('market_adjusted', 'market_model') and day0_benchmark_return is null
            then 'no benchmark return on day 0'
        when coalesce(n_estimation_days, 0) < min_estimation_days
            or n_estimation_days - n_model_params < 1 then 'too few estimation days'
        when model = 'market_model' and constant_benchmark then 'constant benchmark'
        when sse = 0 then 'constant returns'
    end as reason
from fitted

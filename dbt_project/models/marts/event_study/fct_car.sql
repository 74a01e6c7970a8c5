-- Cumulative abnormal return of each included pair over each event window of its study.
-- n_days counts window days with an abnormal return (fewer than t2 - t1 + 1 only when the window
-- runs past the asset's data). V_CAR: market model s^2 [n + n^2/L + (sum (Rm - mean Rm))^2/Sxx];
-- mean-adjusted s^2 (n + n^2/L); raw and market-adjusted n s^2. t has L - K degrees of freedom.
with windowed as (

    select
        ar.study_id, ar.event_id, ar.asset_id, w.window_start, w.window_end,
        count(*) as n_days,
        sum(ar.abnormal_return) as car,
        sum(ar.benchmark_deviation) as sum_benchmark_deviation,
        any_value(ar.model) as model,
        any_value(ar.sigma2) as sigma2,
        any_value(ar.s_xx) as s_xx,
        any_value(ar.n_estimation_days) as n_est,
        any_value(ar.n_model_params) as k,
        any_value(st.return_type) as return_type,
        case when any_value(st.return_type) = 'log'
            then exp(sum(ar.actual_return)) - exp(sum(ar.expected_return))
            else exp(sum(ln(1 + ar.actual_return))) - exp(sum(ln(1 + ar.expected_return)))
        end as bhar
    from {{ ref('int_es_abnormal_returns') }} as ar
    inner join {{ ref('stg_es_study_event_windows') }} as w
        on ar.study_id = w.study_id
        and ar.relative_day between w.window_start and w.window_end
    inner join {{ ref('stg_es_studies') }} as st on ar.study_id = st.study_id
    where not ar.in_estimation and ar.abnormal_return is not null
    group by all

),

tested as (

    select
        *,
        car / sqrt(case model
            when 'market_model' then sigma2 * (
                n_days + n_days * n_days / n_est + power(sum_benchmark_deviation, 2) / s_xx)
            when 'mean_adjusted' then sigma2 * (n_days + n_days * n_days / n_est)
            else sigma2 * n_days
        end) as car_t_stat
    from windowed

)

select
    study_id,
    event_id,
    asset_id,
    cast(window_start as integer) as window_start,
    cast(window_end as integer) as window_end,
    cast(n_days as integer) as n_days,
    car,
    car_t_stat,
    t_two_sided_p(car_t_stat, cast(n_est - k as double)) as car_p_value,
    bhar
from tested

-- CAR of each included estimation unit (study, asset, day 0) over each event window of its study,
-- shared by the unit's pairs (fct_car). n_days = the window's days that have an abnormal return:
-- t2 - t1 + 1, fewer when a price is missing (that session has no return; the move lands in the
-- next priced session's multi-day return, which may fall outside the window) or the window runs
-- past the data. V_CAR uses that n: market model s^2 [n + n^2/L + (sum (R_m - mean R_m))^2 /
-- S_xx], mean-adjusted s^2 (n + n^2/L), raw and market-adjusted n s^2; t has L - K degrees of
-- freedom.
with windowed as (

    select
        r.window_id,
        w.window_start,
        w.window_end,
        count(*) as n_days,
        sum(r.abnormal_return) as car,
        sum(r.benchmark_deviation) as sum_benchmark_deviation,
        -- BHAR: log returns add up, simple returns compound (ln(1 + R) only for simple ones);
        -- levels (flows) have none
        exp(sum(case
            when f.return_type = 'log' then r.actual_return
            when f.return_type = 'simple' then ln(1 + r.actual_return)
        end))
        - exp(sum(case
            when f.return_type = 'log' then r.expected_return
            when f.return_type = 'simple' then ln(1 + r.expected_return)
        end)) as bhar
    from {{ ref('int_es_window_rows') }} as r
    inner join {{ ref('stg_es_study_event_windows') }} as w
        on r.study_id = w.study_id
        and r.relative_day between w.window_start and w.window_end
    inner join {{ ref('int_es_window_fit') }} as f on r.window_id = f.window_id
    where not r.in_estimation_window and r.abnormal_return is not null
    group by r.window_id, w.window_start, w.window_end

),

tested as (

    select
        c.*,
        f.n_estimation_days - f.n_model_params as df,
        c.car / sqrt(case f.model
            when 'market_model'
                then f.sigma2 * (
                    c.n_days + c.n_days * c.n_days / f.n_estimation_days
                    + power(c.sum_benchmark_deviation, 2) / f.s_xx
                )
            when 'mean_adjusted'
                then f.sigma2 * (c.n_days + c.n_days * c.n_days / f.n_estimation_days)
            else f.sigma2 * c.n_days
        end) as car_t_stat
    from windowed as c
    inner join {{ ref('int_es_window_fit') }} as f on c.window_id = f.window_id

)

select
    window_id, window_start, window_end, n_days, car, car_t_stat,
    t_two_sided_p(car_t_stat, cast(df as double)) as car_p_value,
    bhar, df
from tested

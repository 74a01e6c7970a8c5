-- Kolari-Pynnonen's r per study: the mean pairwise correlation of the included pairs' estimation
-- residuals, aligned by CALENDAR DATE (the session date), not by relative day. The paper has one
-- event date, where the two coincide; for events on different dates the cross-correlation the
-- adjustment corrects for lives on the dates the pairs share, so pairs whose estimation windows
-- share no date add nothing. Each residual is centred on its pair's mean and scaled to unit norm
-- over the pair's own estimation days (u), so r = (sum_d (sum_i u_id)^2 - sum_i sum_d u_id^2)
-- / (N (N - 1)); pairs sharing an estimation unit count once each (weight n_pairs).
-- Computed per session of each series, not per unit and day: on session t a unit's centred
-- residual is A(t) - a_i - b_i X(t) (A the return, less the benchmark's when market-adjusted;
-- X the benchmark return for the market model, else 0; a_i the unit's alpha plus its residual
-- mean; b_i its market-model beta), so sum_i n_i u_it over the units whose estimation window
-- holds t is A(t) W0 - W1 - X(t) W2, W the sums of n_i / sqrt(css_i) (1, a_i, b_i) over the
-- units whose day 0 lies in [t - T1, t - T0]: a moving window over the sessions. Each unit's u
-- has unit norm, so sum_i sum_d n_i u_id^2 = N.
with units as (

    select
        series_id,
        day0_idx,
        n_pairs / sqrt(resid_css) as w,
        alpha + resid_mean as a,
        case when model = 'market_model' then beta else 0.0 end as b
    from {{ ref('int_es_window_fit') }}
    where reason is null and resid_css > 0

),

sessions as (

    select
        s.series_id,
        r.study_id,
        s.session_idx,
        s.session_date,
        r.estimation_start,
        r.estimation_end,
        -- a residual that day: the abnormal return exists
        s.actual_return is not null
        and (s.benchmark_return is not null or r.model in ('raw', 'mean_adjusted'))
            as has_residual,
        case
            when r.model = 'market_adjusted' then s.actual_return - s.benchmark_return
            else s.actual_return
        end as a_t,
        case when r.model = 'market_model' then s.benchmark_return else 0.0 end as x_t,
        coalesce(u.w, 0.0) as w,
        coalesce(u.w * u.a, 0.0) as w_a,
        coalesce(u.w * u.b, 0.0) as w_b
    from {{ ref('int_es_estimation_sums') }} as s
    inner join {{ ref('int_es_series') }} as r on s.series_id = r.series_id
    left join units as u on s.series_id = u.series_id and s.session_idx = u.day0_idx

),

{#- the day 0s whose window [T0, T1] holds the session: [t - T1, t - T0], the same frame as
    int_es_estimation_sums' on the sessions in reverse order -#}
{%- set frame = ['covering', 'series_id', 'session_idx desc', 'estimation_start',
    'estimation_end', ref('stg_es_studies')] %}

covered as (

    select
        study_id,
        session_date,
        has_residual,
        a_t,
        x_t,
        {{ over_column_frame('sum(w)', *frame) }} as w_0,
        {{ over_column_frame('sum(w_a)', *frame) }} as w_1,
        {{ over_column_frame('sum(w_b)', *frame) }} as w_2
    from sessions
    {{ column_frame_window(*frame[:5]) }}  -- noqa: PRS

),

by_date as (

    select study_id, session_date, sum(a_t * w_0 - w_1 - x_t * w_2) as u_sum
    from covered
    where has_residual and w_0 > 0
    group by study_id, session_date

),

pairs as (

    select f.study_id, sum(f.n_pairs) as n_pairs
    from {{ ref('int_es_window_fit') }} as f
    where f.reason is null and f.resid_css > 0
    group by f.study_id

)

select
    d.study_id,
    any_value(p.n_pairs) as n_pairs,
    count(*) as n_dates,
    (sum(d.u_sum * d.u_sum) - any_value(p.n_pairs))
    / nullif(any_value(p.n_pairs) * (any_value(p.n_pairs) - 1.0), 0) as mean_correlation
from by_date as d
inner join pairs as p on d.study_id = p.study_id
group by d.study_id

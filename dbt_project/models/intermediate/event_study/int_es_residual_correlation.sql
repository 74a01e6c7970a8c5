-- Kolari-Pynnonen's r per study: the mean pairwise correlation of the included pairs' estimation
-- residuals, aligned by CALENDAR DATE (the session date), not by relative day. The paper has one
-- event date, where the two coincide; for events on different dates the cross-correlation the
-- adjustment corrects for lives on the dates the pairs share, so pairs whose estimation windows
-- share no date add nothing. Each residual is centred on its pair's mean and scaled to unit norm
-- over the pair's own estimation days (u), so r = (sum_d (sum_i u_id)^2 - sum_i sum_d u_id^2)
-- / (N (N - 1)); pairs sharing an estimation unit count once each (weight n_pairs).
with units as (

    select window_id, n_pairs, resid_mean, resid_css
    from {{ ref('int_es_window_fit') }}
    where reason is null and resid_css > 0

),

residuals as (

    select
        r.study_id, r.trade_date, u.n_pairs,
        (r.abnormal_return - u.resid_mean) / sqrt(u.resid_css) as u
    from {{ ref('int_es_window_rows') }} as r
    inner join units as u on r.window_id = u.window_id
    where r.in_estimation_window and r.abnormal_return is not null

),

by_date as (

    select study_id, trade_date, sum(n_pairs * u) as u_sum, sum(n_pairs * u * u) as u_square
    from residuals
    group by study_id, trade_date

),

pairs as (

    select f.study_id, sum(f.n_pairs) as n_pairs
    from {{ ref('int_es_window_fit') }} as f
    inner join units as u on f.window_id = u.window_id
    group by f.study_id

)

select
    d.study_id,
    any_value(p.n_pairs) as n_pairs,
    count(*) as n_dates,
    (sum(d.u_sum * d.u_sum) - sum(d.u_square))
    / nullif(any_value(p.n_pairs) * (any_value(p.n_pairs) - 1.0), 0) as mean_correlation
from by_date as d
inner join pairs as p on d.study_id = p.study_id
group by d.study_id

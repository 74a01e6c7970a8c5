-- Portfolio tests for claims about several assets on one date (seed finding_parameters: every
-- claim with long_study / long_event / long_assets, and optionally a short leg). Assets that
-- move together (KWEB and CQQQ correlate about 0.9) are not independent, so each claim is
-- tested on an equal-weight portfolio of its assets' abnormal returns (fct_abnormal_returns):
--   P_t = mean over the leg's assets of AR_t, per relative day t (each asset's own calendar);
--   spread S_t = P_t(long) - P_t(short) on the days both legs have;
--   CAR = sum of P_t over the window, t = CAR / (sd(P_t over estimation days) * sqrt(n)),
--   df = estimation days - 1: Brown and Warner's crude dependence adjustment applied to the
--   claim's own portfolio, so the portfolio's estimation-window variance carries the assets'
--   cross-correlation (shown as the mean pairwise correlation of the leg's estimation-window
--   abnormal returns, aligned by relative day). One row per claim and scope: long, short (when
--   a short leg exists) and spread.
with params as (

    select
        claim_id,
        max(value) filter (where parameter = 'long_study') as long_study,
        max(value) filter (where parameter = 'long_event') as long_event,
        max(value) filter (where parameter = 'long_assets') as long_assets,
        max(value) filter (where parameter = 'short_study') as short_study,
        max(value) filter (where parameter = 'short_event') as short_event,
        max(value) filter (where parameter = 'short_assets') as short_assets,
        cast(max(value) filter (where parameter = 'window_start') as integer) as window_start,
        cast(max(value) filter (where parameter = 'window_end') as integer) as window_end
    from {{ ref('finding_parameters') }}
    group by claim_id
    having max(value) filter (where parameter = 'long_study') is not null

),

members as (

    select
        claim_id, 'long' as leg, long_study as study_id, long_event as event_id,
        {{ unnest_list(split_trimmed('long_assets', ',')) }} as asset_id
    from params
    union all
    select
        claim_id, 'short', short_study, short_event,
        {{ unnest_list(split_trimmed('short_assets', ',')) }}
    from params
    where short_study is not null

),

member_ars as (

    select
        m.claim_id, m.leg, m.asset_id, a.relative_day, a.in_estimation_window, a.trade_date,
        a.abnormal_return
    from members as m
    inner join {{ ref('fct_abnormal_returns') }} as a
        on m.study_id = a.study_id
        and m.event_id = a.event_id
        and m.asset_id = a.asset_id
    where a.abnormal_return is not null

),

pair_correlations as (

    select claim_id, leg, avg(correlation) as mean_pairwise_correlation
    from (
        select x.claim_id, x.leg, corr(x.abnormal_return, y.abnormal_return) as correlation
        from member_ars as x
        inner join member_ars as y
            on x.claim_id = y.claim_id
            and x.leg = y.leg
            and x.relative_day = y.relative_day
            and x.asset_id < y.asset_id
        where x.in_estimation_window and y.in_estimation_window
        group by x.claim_id, x.leg, x.asset_id, y.asset_id
    ) as asset_pairs
    group by claim_id, leg

),

leg_days as (

    select
        a.claim_id,
        a.leg,
        a.relative_day,
        bool_or(a.in_estimation_window) as in_estimation_window,
        avg(a.abnormal_return) as portfolio_ar,
        {{ string_agg_ordered('a.asset_id', ',', 'a.asset_id') }} as assets,
        min(a.trade_date) as first_date,
        max(a.trade_date) as last_date
    from member_ars as a
    group by a.claim_id, a.leg, a.relative_day

),

series as (

    select
        claim_id, leg as scope, relative_day, in_estimation_window, portfolio_ar, assets,
        first_date, last_date
    from leg_days
    union all
    select
        l.claim_id,
        'spread',
        l.relative_day,
        l.in_estimation_window and s.in_estimation_window,
        l.portfolio_ar - s.portfolio_ar,
        l.assets || ' minus ' || s.assets,
        least(l.first_date, s.first_date),
        greatest(l.last_date, s.last_date)
    from leg_days as l
    inner join leg_days as s
        on l.claim_id = s.claim_id
        and l.relative_day = s.relative_day
        and l.leg = 'long'
        and s.leg = 'short'

),

stats as (

    select
        s.claim_id,
        s.scope,
        stddev_samp(s.portfolio_ar) filter (where s.in_estimation_window) as estimation_sd,
        count(s.portfolio_ar) filter (where s.in_estimation_window) as n_estimation_days,
        sum(s.portfolio_ar) filter (
            where s.relative_day between p.window_start and p.window_end
        ) as car,
        count(s.portfolio_ar) filter (
            where s.relative_day between p.window_start and p.window_end
        ) as n_window_days,
        max(s.assets) filter (where s.relative_day = p.window_start) as assets,
        min(s.first_date) filter (where s.relative_day = p.window_start) as period_start,
        max(s.last_date) filter (where s.relative_day = p.window_end) as period_end
    from series as s
    inner join params as p
        on s.claim_id = p.claim_id
    group by s.claim_id, s.scope

)

select
    s.claim_id,
    s.scope,
    s.assets,
    s.period_start,
    s.period_end,
    c.mean_pairwise_correlation,
    s.car,
    s.estimation_sd,
    s.n_estimation_days,
    s.n_window_days,
    s.car / nullif(s.estimation_sd * sqrt(s.n_window_days), 0) as t_stat,
    t_two_sided_p(
        s.car / nullif(s.estimation_sd * sqrt(s.n_window_days), 0), s.n_estimation_days - 1
    ) as p_value
from stats as s
left join pair_correlations as c
    on s.claim_id = c.claim_id
    and s.scope = c.leg

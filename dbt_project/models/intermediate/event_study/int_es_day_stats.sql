-- One row per study and relative day (estimation and event days) across the study's included
-- pairs, each estimation unit weighted by the pairs it stands for (n_pairs): on estimation days
-- the average abnormal return (Brown-Warner) and the number of positive ones (generalised sign);
-- on every day the Corrado statistic (1 / sqrt(N_t)) sum_i U_it, where U = K / (M + 1) - 0.5 and
-- K is the rank of the AR among the pair's M abnormal returns (estimation and event days, ties
-- averaged).
with unit_rows as (

    -- only what the sort needs: a narrow payload sorts faster
    select
        cast(window_id as integer) as window_id, relative_day, in_estimation_window,
        abnormal_return
    from {{ ref('int_es_window_rows') }}
    where abnormal_return is not null

),

event_days as (

    -- M = the unit's abnormal returns: its L estimation days plus its event days with one
    select window_id, count(*) as n_event_days
    from {{ ref('int_es_window_rows') }}
    where not in_estimation_window and abnormal_return is not null
    group by window_id

),

ranked as (

    select
        window_id, relative_day, in_estimation_window, abnormal_return,
        -- average rank of ties: (first rank + last rank) / 2; count over the default frame
        -- (up to the last peer) is the last rank (a double: Spark would divide in decimals)
        cast(rank() over by_value + count(*) over by_value as {{ type_double() }}) / 2 as avg_rank
    from unit_rows
    window by_value as (partition by window_id order by abnormal_return)

)

select
    f.study_id,
    r.relative_day,
    bool_or(r.in_estimation_window) as in_estimation_window,
    sum(f.n_pairs) as n_pairs,
    sum(f.n_pairs * r.abnormal_return) / sum(f.n_pairs) as aar,
    coalesce(sum(f.n_pairs) filter (where r.abnormal_return > 0), 0) as n_positive,
    sum(f.n_pairs * (r.avg_rank / (f.n_estimation_days + coalesce(e.n_event_days, 0) + 1) - 0.5))
    / sqrt(sum(f.n_pairs)) as rank_statistic
from ranked as r
inner join {{ ref('int_es_window_fit') }} as f on r.window_id = f.window_id
left join event_days as e on r.window_id = e.window_id
group by f.study_id, r.relative_day

-- One row per study and relative day (estimation and event days) across the study's included
-- pairs, each estimation unit weighted by the pairs it stands for (n_pairs): on estimation days
-- the average abnormal return (Brown-Warner) and the number of positive ones (generalised sign);
-- on every day the Corrado statistic (1 / sqrt(N_t)) sum_i U_it, where U = K / (M + 1) - 0.5 and
-- K is the rank of the AR among the pair's M abnormal returns (estimation and event days, ties
-- averaged). The sums come in two halves, ranked at the same time (macro es_day_sums). A view: a
-- few hundred rows that only fct_event_study_summary reads, and one dbt node fewer on the chain.
{#- a table on Spark, as every model there: any engine reads its Parquet -#}
{{ config(materialized='table' if target.type == 'spark' else 'view') }}
with halves as (

    select * from {{ ref('int_es_day_sums_even') }}
    union all
    select * from {{ ref('int_es_day_sums_odd') }}

)

select
    h.study_id,
    h.relative_day,
    d.in_estimation_window,
    sum(h.n_pairs) as n_pairs,
    sum(h.sum_abnormal_return) / sum(h.n_pairs) as aar,
    sum(h.n_positive) as n_positive,
    sum(h.sum_rank_deviation) / sqrt(sum(h.n_pairs)) as rank_statistic
from halves as h
inner join {{ ref('int_es_study_days') }} as d
    on h.study_id = d.study_id and h.relative_day = d.relative_day
group by h.study_id, h.relative_day, d.in_estimation_window

{#-
    The day sums of int_es_day_stats over the estimation units (int_es_window_fit) whose window_id
    has the given parity ('even' or 'odd'): one row per study and relative day with the sums the
    day statistics are made of, each unit weighted by the pairs it stands for (n_pairs).
    Two models, int_es_day_sums_even and int_es_day_sums_odd, sort one half of the abnormal
    returns each, at the same time on dbt's two threads, where one model would sort them all on
    one DuckDB thread (profiles.yml: sums add in one order from build to build).
    Adding the two halves stays reproducible: a + b = b + a exactly, whichever finishes first.
    Corrado's U = K / (M + 1) - 0.5, K the rank of the AR among the unit's M abnormal returns
    (estimation and event days, ties averaged).
-#}
{% macro es_day_sums(parity) %}
with unit_rows as (

    -- only what the sort needs: a narrow payload sorts faster (whether a day is an estimation
    -- day is the study's, int_es_day_stats takes it from int_es_study_days)
    select cast(window_id as integer) as window_id, relative_day, abnormal_return
    from {{ ref('int_es_window_rows') }}
    where abnormal_return is not null and {{ has_parity('window_id', parity) }}

),

ranked as (

    select
        window_id, relative_day, abnormal_return,
        -- average rank of ties: (first rank + last rank) / 2; count over the default frame
        -- (up to the last peer) is the last rank (a double: Spark would divide in decimals)
        cast(rank() over by_value + count(*) over by_value as {{ type_double() }}) / 2 as avg_rank,
        -- M: the unit's abnormal returns (its L estimation days plus its event days with one)
        count(*) over whole_unit as n_returns
    from unit_rows
    window
        by_value as (partition by window_id order by abnormal_return),
        -- the same sort, the whole unit as the frame
        whole_unit as (
            partition by window_id order by abnormal_return
            rows between unbounded preceding and unbounded following
        )

)

select
    f.study_id,
    r.relative_day,
    sum(f.n_pairs) as n_pairs,
    sum(f.n_pairs * r.abnormal_return) as sum_abnormal_return,
    coalesce(sum(f.n_pairs) filter (where r.abnormal_return > 0), 0) as n_positive,
    sum(f.n_pairs * (r.avg_rank / (r.n_returns + 1) - 0.5)) as sum_rank_deviation
from ranked as r
inner join {{ ref('int_es_window_fit') }} as f on r.window_id = f.window_id
group by f.study_id, r.relative_day
{% endmacro %}

-- Every candidate pair with its exclusion reason (null = included) and its estimation unit
-- (int_es_window_fit: the study, asset and day 0 it shares with other events). The first failing
-- check wins: set-up problems, no day 0, then the unit's own reason. A view: a join by integer
-- keys that its readers (the marts) compute in passing, cheaper than writing every pair again.
{#- a table on Spark: a view there is recomputed for every reader (and any engine reads a
    table's Parquet) -#}
{{ config(materialized='table' if target.type == 'spark' else 'view') }}
select
    d.study_id,
    d.event_id,
    d.asset_id,
    d.day0_idx,
    d.day0_date,
    w.window_id,
    case
        when d.setup_problem is not null then d.setup_problem
        when d.day0_idx is null then 'event outside the data'
        else w.reason
    end as reason
from {{ ref('int_es_pair_day0') }} as d
left join {{ ref('int_es_window_fit') }} as w
    on d.series_id = w.series_id and d.day0_idx = w.day0_idx

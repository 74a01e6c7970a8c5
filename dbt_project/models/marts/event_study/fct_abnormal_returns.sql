-- One row per included pair and day of its estimation and event windows: the rows of its
-- estimation unit (int_es_window_rows), shared by the pairs of one study and asset whose events
-- have the same day 0. A view, so a study of thousands of events stores no pairs x days rows;
-- a filter on study_id, event_id or asset_id reads only that pair's unit (the published read
-- copy keeps it a view too, over copies of what it reads: publishing/served_views.py).
{#- a table on Spark: a view there is recomputed for every reader (and any engine reads a
    table's Parquet) -#}
{{ config(materialized='table' if target.type == 'spark' else 'view') }}
select
    s.study_id,
    s.event_id,
    s.asset_id,
    r.relative_day,
    r.trade_date,
    r.in_estimation_window,
    r.actual_return,
    r.benchmark_return,
    r.expected_return,
    r.abnormal_return,
    r.abnormal_return / sqrt(r.prediction_variance) as standardized_abnormal_return
from {{ ref('int_es_pair_status') }} as s
inner join {{ ref('int_es_window_rows') }} as r on s.window_id = r.window_id
where s.reason is null

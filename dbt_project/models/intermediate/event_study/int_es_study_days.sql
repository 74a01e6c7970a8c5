-- One row per study and relative trading day of its estimation window and event windows (a
-- table, small: its real row count lets DuckDB's planner build its joins on the right side).
select
    study_id,
    {{ unnest_list(int_range('estimation_start', 'estimation_end + 1')) }} as relative_day,
    true as in_estimation_window
from {{ ref('stg_es_studies') }}
union
select study_id, {{ unnest_list(int_range('window_start', 'window_end + 1')) }}, false
from {{ ref('stg_es_study_event_windows') }}

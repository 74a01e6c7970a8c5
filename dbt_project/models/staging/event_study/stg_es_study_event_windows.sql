-- Event windows of each study, in relative trading days of each asset's calendar.
select distinct
    cast(study_id as {{ dbt.type_string() }}) as study_id,
    cast(window_start as integer) as window_start,
    cast(window_end as integer) as window_end
from {{ source('raw', 'study_event_windows') }}

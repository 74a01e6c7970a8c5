-- One row per included pair and day of its estimation and event windows.
select
    study_id,
    event_id,
    asset_id,
    cast(relative_day as integer) as relative_day,
    trade_date,
    in_estimation,
    actual_return,
    benchmark_return,
    expected_return,
    abnormal_return,
    abnormal_return / sqrt(prediction_variance) as standardized_abnormal_return
from {{ ref('int_es_abnormal_returns') }}

-- Event studies (STUDIES_FILE): one row per study.
select
    cast(study_id as {{ dbt.type_string() }}) as study_id,
    cast(model as {{ dbt.type_string() }}) as model,
    lower(cast(benchmark_asset_id as {{ dbt.type_string() }})) as benchmark_asset_id,
    cast(returns as {{ dbt.type_string() }}) as return_type,
    cast(estimation_start as integer) as estimation_start,
    cast(estimation_end as integer) as estimation_end,
    cast(anchor as {{ dbt.type_string() }}) as anchor,
    cast(min_estimation_days as integer) as min_estimation_days,
    case model
        when 'raw' then 0
        when 'mean_adjusted' then 1
        when 'market_adjusted' then 0
        else 2
    end as n_model_params
from {{ source('raw', 'studies') }}

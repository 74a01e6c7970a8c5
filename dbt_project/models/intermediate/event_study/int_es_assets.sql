-- The assets a study can name: every price series of dim_asset plus the catalog's flow series
-- (asset_class flow: US spot ETF net flows), whose values are levels, not prices (a study reads
-- them with `returns: level`). dim_asset keeps to price series; the engine reads this instead.
select asset_id, asset_class, calendar, benchmark_asset_id
from {{ ref('dim_asset') }}
union all
select series_id, asset_class, calendar, cast(null as {{ dbt.type_string() }})
from {{ ref('stg_series') }}
where asset_class = 'flow'

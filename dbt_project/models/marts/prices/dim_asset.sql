-- One row per asset: every price series of the catalog (crypto, equities, ETFs, indices, FX,
-- commodities, rates). Flow, hack and calendar entries are event data, not assets.
with series as (

    select * from {{ ref('stg_series') }}

)

select
    series_id as asset_id,
    series_name as name,
    asset_class,
    calendar,
    currency,
    benchmark_series_id as benchmark_asset_id,
    description
from series
where is_price_series

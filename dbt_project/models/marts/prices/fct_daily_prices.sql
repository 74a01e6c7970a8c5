-- Daily closes per asset, one row per (asset_id, trade_date): the primary source chosen by
-- precedence (stitched where an asset's history spans several files). Bars on non-session
-- days are kept with is_session false; closed days are never zero-filled.
with prices as (

    select * from {{ ref('int_series_daily_prices') }}

),

assets as (

    select asset_id from {{ ref('dim_asset') }}

)

select
    prices.series_id as asset_id,
    prices.bar_date as trade_date,
    prices.close,
    prices.source_id,
    prices.is_session
from prices
inner join assets
    on prices.series_id = assets.asset_id

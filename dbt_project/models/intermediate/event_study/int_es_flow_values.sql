-- The values of the catalog's flow series as the engine reads them (int_es_asset_sessions): one
-- per US trading date, Farside's published daily Total of the product's US spot ETF net flows,
-- USD, any sign. Closed days (market_open false) have no value, never a zero.
select
    sources.series_id as asset_id,
    flow_rows.product,
    flow_rows.date as trade_date,
    flow_rows.flow_usd as value
from {{ ref('int_etf_flow_rows') }} as flow_rows
inner join {{ ref('stg_series_sources') }} as sources
    on flow_rows.source_id = sources.source_id
where flow_rows.is_total
    and flow_rows.market_open

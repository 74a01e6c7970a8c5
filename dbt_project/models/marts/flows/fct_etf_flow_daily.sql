-- US spot BTC/ETH ETF daily net flows, one row per fund: summing flow_usd over funds gives the
-- day's total (Farside's own Total column is in fct_etf_flow_daily_total).
select
    date,
    product,
    fund,
    issuer,
    flow_usd,
    market_open,
    source_id
from {{ ref('int_etf_flow_rows') }}
where not is_total

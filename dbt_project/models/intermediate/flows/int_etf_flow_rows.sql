-- US spot BTC/ETH ETF daily net flows per fund and Farside's own 'Total' column, in USD, with
-- issuer: the rows both flow marts split by grain (fct_etf_flow_daily per fund,
-- fct_etf_flow_daily_total per product). Closed US markets are rows with market_open = false
-- and a null flow, never zero flows:
-- Farside's own holiday rows (all-empty, Total 0.0) are kept as closed, and the weekday
-- holidays Farside omits (from 2025-07) are added as closed rows for every fund of the product.
with flows as (

    select * from {{ ref('stg_etf_flows') }}

),

issuers as (

    select * from {{ ref('etf_fund_issuers') }}

),

xnys_sessions as (

    select session_date
    from {{ ref('stg_trading_sessions') }}
    where calendar = 'XNYS'

),

weekdays as (

    -- The 24/5 calendar has one session per weekday (Monday to Friday, holidays included).
    select session_date as day
    from {{ ref('stg_trading_sessions') }}
    where calendar = '24/5'

),

coverage as (

    select
        product,
        min(flow_date) as first_date,
        max(flow_date) as last_date
    from flows
    group by product

),

product_funds as (

    select
        flows.source_id,
        flows.product,
        flows.fund,
        coverage.first_date,
        coverage.last_date
    from flows
    inner join coverage
        on flows.product = coverage.product
    group by
        flows.source_id,
        flows.product,
        flows.fund,
        coverage.first_date,
        coverage.last_date

),

omitted_closed_days as (

    -- Weekdays inside the product's coverage that are not XNYS sessions and have no Farside row.
    select
        product_funds.source_id,
        product_funds.product,
        weekdays.day as flow_date,
        product_funds.fund
    from product_funds
    inner join weekdays
        on weekdays.day between product_funds.first_date and product_funds.last_date
    left join xnys_sessions
        on weekdays.day = xnys_sessions.session_date
    left join flows
        on product_funds.product = flows.product
        and product_funds.fund = flows.fund
        and weekdays.day = flows.flow_date
    where xnys_sessions.session_date is null
        and flows.flow_date is null

),

all_rows as (

    select
        flow_date,
        product,
        fund,
        flow_usd,
        market_open,
        source_id
    from flows

    union all

    select
        flow_date,
        product,
        fund,
        cast(null as {{ type_double() }}) as flow_usd,
        false as market_open,
        source_id
    from omitted_closed_days

)

select
    all_rows.flow_date as date,
    all_rows.product,
    all_rows.fund,
    issuers.issuer,
    all_rows.fund = 'Total' as is_total,
    case when all_rows.market_open then all_rows.flow_usd end as flow_usd,
    all_rows.market_open,
    all_rows.source_id
from all_rows
left join issuers
    on all_rows.product = issuers.product
    and all_rows.fund = issuers.fund

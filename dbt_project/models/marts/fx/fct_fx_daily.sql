-- Daily FX rates and dollar indices, one row per pair and date that has a rate, with the simple
-- return from the last available rate (no calendar filling: a missing day has no row, so a
-- return never comes from a zero-filled or carried-forward rate). One quote convention per pair
-- (documented in quote_convention). For USD/HKD, the position inside the Linked Exchange Rate
-- System's convertibility band: 0 at the 7.75 strong side, 1 at the 7.85 weak side.
with prices as (

    select * from {{ ref('fct_daily_prices') }}

),

pairs as (

    select * from (
        values
        ('usdhkd', 'USD/HKD', 'USD', 'HKD', 'HKD per 1 USD (up = stronger dollar, weaker HKD)'),
        (
            'usdcny', 'USD/CNY', 'USD', 'CNY',
            'CNY per 1 USD, onshore (up = stronger dollar, weaker yuan)'
        ),
        ('eurusd', 'EUR/USD', 'EUR', 'USD', 'USD per 1 EUR (up = stronger euro, weaker dollar)'),
        ('usdjpy', 'USD/JPY', 'USD', 'JPY', 'JPY per 1 USD (up = stronger dollar, weaker yen)'),
        (
            'dxy', 'DXY', 'USD', 'index',
            'ICE US Dollar Index, 1973-03 = 100, against six currencies (up = stronger dollar)'
        ),
        (
            'usd_broad', 'USD broad', 'USD', 'index',
            'Fed nominal broad dollar index (DTWEXBGS), 2006-01 = 100 (up = stronger dollar)'
        )
    -- the alias names the columns of the values list (AL05 would drop it)
    ) as pairs (asset_id, pair, base_currency, quote_currency, quote_convention)  -- noqa: AL05

),

rates as (

    select
        pairs.pair,
        prices.trade_date as date,
        prices.asset_id,
        pairs.base_currency,
        pairs.quote_currency,
        pairs.quote_convention,
        prices.close as rate,
        lag(prices.trade_date) over (
            partition by prices.asset_id order by prices.trade_date
        ) as previous_date,
        lag(prices.close) over (
            partition by prices.asset_id order by prices.trade_date
        ) as previous_rate,
        prices.is_session,
        prices.source_id
    from prices
    inner join pairs
        on prices.asset_id = pairs.asset_id

)

select
    pair,
    date,
    asset_id,
    base_currency,
    quote_currency,
    quote_convention,
    rate,
    rate / previous_rate - 1 as return,
    previous_date,
    case when asset_id = 'usdhkd' then (rate - 7.75) / (7.85 - 7.75) end as band_position,
    case when asset_id = 'usdhkd' then (rate - 7.75) * 10000 end as pips_from_strong_side,
    is_session,
    source_id
from rates

-- deepseek_crypto_selloff: BTC and ETH on the same UTC day move together (correlation about
-- 0.8), so they are one piece of evidence, tested as an equal-weight portfolio of their raw
-- daily returns (fct_daily_prices): t = portfolio return on the day / sd of the portfolio's
-- daily returns over days [estimation_start, estimation_end] (raw-return model, zero expected
-- return), df = days - 1. Verdict (macro finding_verdict): both fell and p < p_crit.
{% set claim_id = 'deepseek_crypto_selloff' %}
{% set event_date = finding_param(claim_id, 'event_date', 'date') %}
with returns as (

    select
        asset_id,
        trade_date,
        close / lag(close) over (partition by asset_id order by trade_date) - 1 as daily_return
    from {{ ref('fct_daily_prices') }}
    where asset_id in ('btc', 'eth')
        and close is not null
        -- one day before the estimation window, for its first return
        and trade_date
        between {{ event_date }} + {{ finding_param(claim_id, 'estimation_start', 'integer') }} - 1
        and {{ event_date }}

),

days as (

    select
        {{ date_diff_days(event_date, 'trade_date') }} as day_offset,
        {{ date_diff_days(event_date, 'trade_date') }}
        between {{ finding_param(claim_id, 'estimation_start', 'integer') }}
        and {{ finding_param(claim_id, 'estimation_end', 'integer') }} as in_estimation_window,
        max(daily_return) filter (where asset_id = 'btc') as btc_return,
        max(daily_return) filter (where asset_id = 'eth') as eth_return
    from returns
    group by trade_date

),

summary as (

    select
        max(btc_return) filter (where day_offset = 0) as btc_return,
        max(eth_return) filter (where day_offset = 0) as eth_return,
        max((btc_return + eth_return) / 2) filter (where day_offset = 0) as portfolio_return,
        stddev_samp((btc_return + eth_return) / 2) filter (where in_estimation_window)
            as portfolio_sd,
        count((btc_return + eth_return) / 2) filter (where in_estimation_window) as n_days,
        stddev_samp(btc_return) filter (where in_estimation_window) as btc_sd,
        stddev_samp(eth_return) filter (where in_estimation_window) as eth_sd,
        corr(btc_return, eth_return) filter (where in_estimation_window) as btc_eth_correlation,
        {{ finding_param('all', 'p_crit') }} as p_crit
    from days

)

select
    '{{ claim_id }}' as claim_id,
    {{ finding_param(claim_id, 'claim', 'varchar') }} as claim,
    'BTC simple return on ' || {{ event_date }} || ' (UTC day); the test is on the BTC+ETH '
    || 'portfolio' as metric,
    {{ event_date }} as period_start,
    {{ event_date }} as period_end,
    btc_return as value,
    {{ finding_verdict(
        'btc_return is not null and eth_return is not null and portfolio_sd is not null',
        'btc_return < 0 and eth_return < 0',
        't_two_sided_p(portfolio_return / portfolio_sd, n_days - 1) < p_crit',
        finding_param(claim_id, 'claim_kind', 'varchar')
    ) }} as verdict,
    'Equal-weight BTC+ETH portfolio: return on the day / sd of its daily returns over days ['
    || {{ finding_param(claim_id, 'estimation_start', 'integer') }} || ', '
    || {{ finding_param(claim_id, 'estimation_end', 'integer') }} || '], t(L - 1); the '
    || 'portfolio variance carries the BTC-ETH correlation' as test,
    't (BTC+ETH portfolio)' as statistic_name,
    portfolio_return / nullif(portfolio_sd, 0) as statistic,
    t_two_sided_p(portfolio_return / nullif(portfolio_sd, 0), n_days - 1) as p_value,
    p_crit as threshold,
    'BTC and ETH both fell and p < ' || {{ format_g('p_crit') }} as decision_rule,
    {{ sql_text("marts.fct_daily_prices where asset_id in ('btc', 'eth'): daily close / ") }}
    || 'previous close - 1 on ' || {{ event_date }} || ' and over the estimation days' as evidence,
    'ETH return = ' || coalesce({{ format_fixed('eth_return', 4) }}, 'n/a')
    || ', portfolio return = '
    || coalesce({{ format_fixed('portfolio_return', 4) }}, 'n/a') || ', z(BTC) = '
    || coalesce({{ format_fixed('btc_return / btc_sd', 2) }}, 'n/a') || ', z(ETH) = '
    || coalesce({{ format_fixed('eth_return / eth_sd', 2) }}, 'n/a') || ', BTC-ETH correlation = '
    || coalesce({{ format_fixed('btc_eth_correlation', 2) }}, 'n/a') || ', L = '
    || coalesce(cast(n_days as {{ dbt.type_string() }}), 'n/a')
    || '. Daily bars end at 00:00 UTC: the intraday '
    || 'liquidations the article cites (Asian morning) are not visible in close-to-close returns.'
        as note
from summary

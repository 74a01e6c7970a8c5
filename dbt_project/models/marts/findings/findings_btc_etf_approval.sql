-- Bitcoin after the spot ETF approval (January 2024):
--   btc_etf_approval_drawdown: "fell from $48,000 to $38,000, a decline of over 20%" is a
--     high-to-low figure, so value = lowest daily LOW of peak_end..trough_end over the highest
--     daily HIGH of peak_start..peak_end, minus 1 (bars of the source feeding fct_daily_prices);
--     the close-to-close drawdown is in the note. Threshold rule on the high-to-low figure:
--     <= claimed_drawdown supported, down to tolerance_drawdown inconclusive, else not supported.
--   btc_etf_approval_recovery: highest close after the low to period_end against level_usd.
{% set peak_start = finding_param('btc_etf_approval_drawdown', 'peak_start', 'date') %}
{% set peak_end = finding_param('btc_etf_approval_drawdown', 'peak_end', 'date') %}
{% set trough_end = finding_param('btc_etf_approval_drawdown', 'trough_end', 'date') %}
{% set period_end = finding_param('btc_etf_approval_recovery', 'period_end', 'date') %}
with bars as (

    select p.trade_date, p.close, b.high, b.low
    from {{ ref('fct_daily_prices') }} as p
    left join {{ ref('stg_daily_bars') }} as b
        on p.source_id = b.source_id
        and p.trade_date = b.bar_date
    where p.asset_id = 'btc'
        and p.close is not null
        and p.trade_date between {{ peak_start }} and {{ period_end }}

),

windows as (

    select
        *,
        trade_date <= {{ peak_end }} as in_peak,
        trade_date between {{ peak_end }} and {{ trough_end }} as in_trough
    from bars

),

drawdown as (

    select
        max(high) filter (where in_peak) as peak_high,
        {{ arg_max('trade_date', 'high') }} filter (where in_peak) as peak_high_date,
        min(low) filter (where in_trough) as trough_low,
        {{ arg_min('trade_date', 'low') }} filter (where in_trough) as trough_low_date,
        max(close) filter (where in_peak) as peak_close,
        min(close) filter (where in_trough) as trough_close,
        {{ arg_min('trade_date', 'close') }} filter (where in_trough) as trough_close_date,
        {{ finding_param('btc_etf_approval_drawdown', 'claimed_drawdown') }} as claimed,
        {{ finding_param('btc_etf_approval_drawdown', 'tolerance_drawdown') }} as tolerance,
        {{ finding_param('btc_etf_approval_drawdown', 'peak_start', 'date') }} as peak_start,
        {{ finding_param('btc_etf_approval_drawdown', 'peak_end', 'date') }} as peak_end,
        {{ finding_param('btc_etf_approval_drawdown', 'trough_end', 'date') }} as trough_end
    from windows

),

recovery as (

    select
        max(w.close) as max_close_after,
        min(w.trade_date) filter (
            where w.close >= {{ finding_param('btc_etf_approval_recovery', 'level_usd') }}
        ) as recovery_date,
        {{ finding_param('btc_etf_approval_recovery', 'level_usd') }} as level_usd
    from windows as w
    cross join drawdown as d
    where w.trade_date > coalesce(d.trough_low_date, d.trough_close_date)

)

select
    'btc_etf_approval_drawdown' as claim_id,
    {{ finding_param('btc_etf_approval_drawdown', 'claim', 'varchar') }} as claim,
    'BTC drawdown high to low: lowest daily low ' || peak_end || '..' || trough_end
    || ' over the highest daily high ' || peak_start || '..' || peak_end
    || ', minus 1 (close to close in the note)' as metric,
    coalesce(peak_high_date, peak_start) as period_start,
    coalesce(trough_low_date, trough_end) as period_end,
    trough_low / peak_high - 1 as value,
    {{ finding_verdict(
        'trough_low is not null and peak_high is not null',
        'trough_low / peak_high - 1 <= tolerance',
        'trough_low / peak_high - 1 <= claimed',
        finding_param('btc_etf_approval_drawdown', 'claim_kind', 'varchar')
    ) }} as verdict,
    'Threshold on the high-to-low drawdown' as test,
    'drawdown (high to low)' as statistic_name,
    trough_low / peak_high - 1 as statistic,
    cast(null as {{ type_double() }}) as p_value,
    claimed as threshold,
    'supported at <= ' || {{ format_g('claimed') }} || ', inconclusive down to '
    || {{ format_g('tolerance') }} as decision_rule,
    {{ sql_text("marts.fct_daily_prices where asset_id = 'btc' and trade_date between '") }}
    || peak_start
    || {{ sql_text("' and '") }} || trough_end
    || {{ sql_text("', with high and low from staging.stg_daily_bars of the ") }}
    || 'same source and day' as evidence,
    'High ' || coalesce({{ format_fixed('peak_high', 0) }}, 'n/a') || ' on '
    || coalesce(cast(peak_high_date as {{ dbt.type_string() }}), 'n/a') || ', low '
    || coalesce({{ format_fixed('trough_low', 0) }}, 'n/a') || ' on '
    || coalesce(cast(trough_low_date as {{ dbt.type_string() }}), 'n/a')
    || ' (the article: about 48,000 to '
    || '38,000). Close to close: ' || coalesce({{ format_fixed('peak_close', 0) }}, 'n/a') || ' to '
    || coalesce({{ format_fixed('trough_close', 0) }}, 'n/a') || ' on '
    || coalesce(cast(trough_close_date as {{ dbt.type_string() }}), 'n/a') || ', '
    || coalesce({{ format_fixed('trough_close / peak_close - 1', 4) }}, 'n/a')
    || ', which would be inconclusive: daily closes (00:00 UTC) miss the intraday high and low '
    || 'the article quotes.' as note
from drawdown
union all
select
    'btc_etf_approval_recovery',
    {{ finding_param('btc_etf_approval_recovery', 'claim', 'varchar') }},
    'Highest BTC close from the post-approval low to '
    || {{ period_end }} || ' (USD)',
    d.trough_low_date,
    coalesce(r.recovery_date, {{ period_end }}),
    r.max_close_after,
    {{ finding_verdict(
        'r.max_close_after is not null',
        'r.max_close_after >= r.level_usd',
        'true',
        finding_param('btc_etf_approval_recovery', 'claim_kind', 'varchar')
    ) }},
    'Threshold on the highest close',
    'highest close (USD)',
    r.max_close_after as statistic,
    cast(null as {{ type_double() }}),
    r.level_usd,
    'supported when the highest close reaches ' || {{ format_g('r.level_usd') }},
    {{ sql_text("marts.fct_daily_prices where asset_id = 'btc' and trade_date between the low ") }}
    || {{ sql_text("(claim btc_etf_approval_drawdown) and '") }}
    || {{ period_end }} || {{ sql_text("'") }},
    'First close >= ' || {{ format_g('r.level_usd') }} || ' on '
    || coalesce(cast(r.recovery_date as {{ dbt.type_string() }}), 'never')
    || ' (period_end). The rise also spans the April 2024 halving; no causal attribution to the '
    || 'ETFs.'
from recovery as r
cross join drawdown as d

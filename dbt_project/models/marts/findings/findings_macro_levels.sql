-- Level claims about the Hong Kong dollar, gold and the US dollar, each a threshold rule on
-- fct_fx_daily / fct_daily_prices (thresholds in seed finding_parameters):
--   hkd_toward_strong_side: the USD/HKD band position fell from the first quote of the period
--     and reached strong_side_position (0 = 7.75, 1 = 7.85); a causal claim ('money flowing in
--     pushed'), and the warehouse has no flow data, so reaching the strong side reads 'coincided
--     with';
--   gold_near_2920: mean gold close over period_start..period_end within tolerance (supported) or
--     outer_tolerance (inconclusive) of claimed_usd;
--   dollar_strong_then_weak: DXY's high of the month high_start..high_end (January 2025) above
--     the last close before it, then the last close by period_end at least fall_min below it.
{% set strong_side_position = finding_param('hkd_toward_strong_side', 'strong_side_position') %}
with hkd as (

    select
        {{ arg_min('band_position', 'date') }} as start_position,
        min(band_position) as min_position,
        min(date) as first_date,
        min(date) filter (
            where band_position <= {{ strong_side_position }}
        ) as strong_side_date,
        {{ finding_param('hkd_toward_strong_side', 'strong_side_position') }} as strong_position,
        {{ finding_param('hkd_toward_strong_side', 'period_start', 'date') }} as period_start,
        {{ finding_param('hkd_toward_strong_side', 'period_end', 'date') }} as period_end
    from {{ ref('fct_fx_daily') }}
    where pair = 'USD/HKD'
        and date
        between {{ finding_param('hkd_toward_strong_side', 'period_start', 'date') }}
        and {{ finding_param('hkd_toward_strong_side', 'period_end', 'date') }}

),

gold as (

    select
        avg(close) as mean_close,
        min(close) as min_close,
        max(close) as max_close,
        count(*) as n_days,
        {{ finding_param('gold_near_2920', 'claimed_usd') }} as claimed_usd,
        {{ finding_param('gold_near_2920', 'tolerance') }} as tolerance,
        {{ finding_param('gold_near_2920', 'outer_tolerance') }} as outer_tolerance,
        {{ finding_param('gold_near_2920', 'period_start', 'date') }} as period_start,
        {{ finding_param('gold_near_2920', 'period_end', 'date') }} as period_end
    from {{ ref('fct_daily_prices') }}
    where asset_id = 'gold'
        and close is not null
        and trade_date
        between {{ finding_param('gold_near_2920', 'period_start', 'date') }}
        and {{ finding_param('gold_near_2920', 'period_end', 'date') }}

),

dxy_params as (

    select
        {{ finding_param('dollar_strong_then_weak', 'period_start', 'date') }} as period_start,
        {{ finding_param('dollar_strong_then_weak', 'high_start', 'date') }} as high_start,
        {{ finding_param('dollar_strong_then_weak', 'high_end', 'date') }} as high_end,
        {{ finding_param('dollar_strong_then_weak', 'period_end', 'date') }} as period_end,
        {{ finding_param('dollar_strong_then_weak', 'fall_min') }} as fall_min

),

dxy as (

    select
        {{ arg_max('f.rate', 'f.date') }} filter (where f.date < p.high_start) as dec_close,
        max(f.rate) filter (where f.date between p.high_start and p.high_end) as jan_high,
        {{ arg_max('f.date', 'f.rate') }} filter (where f.date between p.high_start and p.high_end)
            as jan_high_date,
        {{ arg_max('f.rate', 'f.date') }} filter (
            where f.date > p.high_end and f.date <= p.high_end + interval 1 month
        ) as feb_close,
        {{ arg_max('f.rate', 'f.date') }} as mar_close,
        max(f.date) as mar_close_date,
        any_value(p.fall_min) as fall_min,
        any_value(p.high_start) as high_start,
        any_value(p.high_end) as high_end,
        any_value(p.period_start) as period_start,
        any_value(p.period_end) as period_end
    from dxy_params as p
    left join {{ ref('fct_fx_daily') }} as f
        on f.pair = 'DXY' and f.date between p.period_start and p.period_end

)

select
    'hkd_toward_strong_side' as claim_id,
    {{ finding_param('hkd_toward_strong_side', 'claim', 'varchar') }} as claim,
    'Change in USD/HKD band_position from the first quote to the minimum, ' || period_start
    || '..' || period_end as metric,
    coalesce(first_date, period_start) as period_start,
    coalesce(strong_side_date, period_end) as period_end,
    min_position - start_position as value,
    {{ finding_verdict(
        'min_position is not null and start_position is not null',
        'min_position < start_position',
        'min_position <= strong_position',
        finding_param('hkd_toward_strong_side', 'claim_kind', 'varchar')
    ) }} as verdict,
    'Threshold on the minimum band position' as test,
    'minimum band position' as statistic_name,
    min_position as statistic,
    cast(null as {{ type_double() }}) as p_value,
    strong_position as threshold,
    'the band position fell and reached <= ' || {{ format_g('strong_position') }} as decision_rule,
    {{ sql_text("marts.fct_fx_daily where pair = 'USD/HKD' and date between '") }}
    || period_start
    || {{ sql_text("' and '") }} || period_end
    || {{ sql_text("' (band_position: 0 = 7.75, 1 = 7.85)") }} as evidence,
    'Band position ' || coalesce({{ format_fixed('start_position', 3) }}, 'n/a') || ' -> minimum '
    || coalesce({{ format_fixed('min_position', 3) }}, 'n/a') || '; first at or below '
    || {{ format_g('strong_position') }} || ' on '
    || coalesce(cast(strong_side_date as {{ dbt.type_string() }}), 'never')
    || '. Yahoo UTC-day closes, not HKMA fixings; the article (Feb 2025) expects the move, which '
    || 'came in April-May; the warehouse has no southbound-flow data to attribute it, so the '
    || 'move coincided with the claimed inflows at best.' as note
from hkd
union all
select
    'gold_near_2920',
    {{ finding_param('gold_near_2920', 'claim', 'varchar') }},
    'Mean COMEX gold (GC=F) close ' || period_start || '..' || period_end
    || ', USD per troy ounce',
    period_start,
    period_end,
    mean_close,
    {{ finding_verdict(
        'mean_close is not null',
        'abs(mean_close / claimed_usd - 1) <= outer_tolerance',
        'abs(mean_close / claimed_usd - 1) <= tolerance',
        finding_param('gold_near_2920', 'claim_kind', 'varchar')
    ) }},
    'Threshold on the relative distance from the quoted price',
    'mean close / quoted price - 1',
    mean_close / claimed_usd - 1,
    cast(null as {{ type_double() }}),
    tolerance,
    'supported within ' || {{ format_g('tolerance') }} || ' of ' || {{ format_g('claimed_usd') }}
    || ', inconclusive up to ' || {{ format_g('outer_tolerance') }},
    {{ sql_text("marts.fct_daily_prices where asset_id = 'gold' and trade_date between '") }}
    || period_start
    || {{ sql_text("' and '") }} || period_end || {{ sql_text("'") }},
    'Range ' || coalesce({{ format_fixed('min_close', 1) }}, 'n/a') || ' - '
    || coalesce({{ format_fixed('max_close', 1) }}, 'n/a')
    || ' over ' || cast(n_days as {{ dbt.type_string() }})
    || ' sessions. Front-month futures, not spot (futures trade a few dollars to tens of dollars '
    || {{ sql_text("above spot); the article's date is not stated exactly.") }}
from gold
union all
select
    'dollar_strong_then_weak',
    {{ finding_param('dollar_strong_then_weak', 'claim', 'varchar') }},
    'DXY change from its high over ' || high_start || '..' || high_end
    || ' to its last close by ' || period_end,
    coalesce(jan_high_date, high_start),
    coalesce(mar_close_date, period_end),
    mar_close / jan_high - 1,
    {{ finding_verdict(
        'mar_close is not null and jan_high is not null and dec_close is not null',
        'mar_close / jan_high - 1 < 0',
        'jan_high > dec_close and mar_close / jan_high - 1 <= fall_min',
        finding_param('dollar_strong_then_weak', 'claim_kind', 'varchar')
    ) }},
    'Threshold on the fall from the January high',
    'DXY change from the January high',
    mar_close / jan_high - 1,
    cast(null as {{ type_double() }}),
    fall_min,
    'the January high exceeds the end-2024 close and DXY then falls at least '
    || {{ format_g('-fall_min') }},
    {{ sql_text("marts.fct_fx_daily where pair = 'DXY' and date between '") }}
    || period_start || {{ sql_text("' and '") }}
    || period_end || {{ sql_text("'") }},
    'DXY end-2024 ' || coalesce({{ format_fixed('dec_close', 2) }}, 'n/a') || ', January high '
    || coalesce({{ format_fixed('jan_high', 2) }}, 'n/a') || ', end-February '
    || coalesce({{ format_fixed('feb_close', 2) }}, 'n/a') || ' ('
    || coalesce({{ format_fixed('feb_close / jan_high - 1', 4) }}, 'n/a') || '), end-March '
    || coalesce({{ format_fixed('mar_close', 2) }}, 'n/a')
    || '. The article states an expectation, not '
    || 'a forecast horizon; ICE DXY is EUR-heavy.'
from dxy

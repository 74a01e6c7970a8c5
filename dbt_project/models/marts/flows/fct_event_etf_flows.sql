-- Abnormal US spot-ETF flows around every event, per product (Farside 'Total' of the BTC or ETH
-- spot ETFs): the event-study engine's study `etf_flows` (config/studies.yml: the flow series
-- btc_etf_flows and eth_etf_flows, mean_adjusted on the flow level, returns: level), laid out
-- one row per event, product and relative XNYS session of the study's estimation window and
-- event windows. Day 0, the windows, the fit and the abnormal flows are the engine's
-- (int_es_pair_status, int_es_window_fit, int_es_window_rows); only flow_z and the running sum
-- are computed here. Pairs the engine excludes after day 0 (too few estimation flows, no flow on
-- day 0) keep their rows with null abnormal columns; an event without a day 0 in the product's
-- data has none, and relative days past the end of the data do not exist.
{% set study_id = 'etf_flows' %}

with products as (

    select distinct asset_id, product
    from {{ ref('int_es_flow_values') }}

),

units as (

    -- every event with a day 0 in the product's data, with the engine's fit of its unit
    select
        pairs.event_id,
        products.product,
        fit.window_id,
        fit.series_id,
        fit.day0_idx,
        fit.n_estimation_days,
        case when fit.reason is null then fit.alpha end as estimation_mean_flow_usd,
        case when fit.reason is null then sqrt(fit.sigma2) end as estimation_sd_flow_usd
    from {{ ref('int_es_pair_status') }} as pairs
    inner join {{ ref('int_es_window_fit') }} as fit
        on pairs.window_id = fit.window_id
    inner join products
        on pairs.asset_id = products.asset_id
    where pairs.study_id = '{{ study_id }}'

),

study_days as (

    select
        cast(relative_day as integer) as relative_day,
        in_estimation_window
    from {{ ref('int_es_study_days') }}
    where study_id = '{{ study_id }}'

),

days as (

    select
        units.*,
        study_days.relative_day,
        study_days.in_estimation_window,
        sums.session_date as trade_date,
        sums.actual_return as flow_usd
    from units
    cross join study_days
    inner join {{ ref('int_es_estimation_sums') }} as sums
        on units.series_id = sums.series_id
        and units.day0_idx + study_days.relative_day = sums.session_idx

),

abnormal as (

    select
        days.*,
        window_rows.abnormal_return as abnormal_flow_usd
    from days
    left join {{ ref('int_es_window_rows') }} as window_rows
        on days.window_id = window_rows.window_id
        and days.relative_day = window_rows.relative_day
        and window_rows.study_id = '{{ study_id }}'

)

select
    event_id,
    product,
    relative_day,
    trade_date,
    in_estimation_window as is_estimation_day,
    not in_estimation_window as is_event_period_day,
    flow_usd,
    abnormal_flow_usd,
    abnormal_flow_usd / nullif(estimation_sd_flow_usd, 0) as flow_z,
    case
        when not in_estimation_window
            then sum(abnormal_flow_usd) over (
                partition by event_id, product, in_estimation_window
                order by relative_day
                rows between unbounded preceding and current row
            )
    end as cumulative_abnormal_flow_usd,
    estimation_mean_flow_usd,
    estimation_sd_flow_usd,
    n_estimation_days
from abnormal

-- Abnormal US spot-ETF flows around every event, per product (Farside 'Total' of BTC or ETH ETFs).
-- Relative days count XNYS sessions; day 0 is the first XNYS session whose close
-- (stg_trading_sessions.close_utc) is after dim_event.event_time_utc (the studies' 'next'
-- anchor). Mean-adjusted model: abnormal flow = flow - mean flow over the estimation window
-- (var etf_flow_estimation_window, default [-60, -11] sessions); flow_z = abnormal flow / the
-- sample standard deviation of the estimation-window flows. Rows cover the estimation window
-- and the event period (var etf_flow_event_period, default [-10, 10]); the cumulative abnormal
-- flow runs from the first event-period day. Events whose day 0 falls outside a product's
-- Farside coverage have no rows; with fewer than var etf_flow_min_estimation_days estimation
-- flows the abnormal columns are null.
{% set estimation_window = var('etf_flow_estimation_window') %}
{% set event_period = var('etf_flow_event_period') %}
{% set min_estimation_days = var('etf_flow_min_estimation_days') %}

with events as (

    select
        event_id,
        event_time_utc
    from {{ ref('dim_event') }}

),

sessions as (

    select
        session_date,
        close_utc,
        row_number() over (order by session_date) as session_index
    from {{ ref('stg_trading_sessions') }}
    where calendar = 'XNYS'

),

total_flows as (

    select
        date as flow_date,
        product,
        publisher_total_usd as flow_usd,
        market_open
    from {{ ref('fct_etf_flow_daily_total') }}

),

product_coverage as (

    select
        product,
        min(flow_date) as first_date,
        max(flow_date) as last_date
    from total_flows
    group by product

),

event_day0 as (

    select
        events.event_id,
        min(sessions.session_index) as day0_index
    from events
    inner join sessions
        on sessions.close_utc > events.event_time_utc
    group by events.event_id

),

event_days as (

    select
        event_day0.event_id,
        product_coverage.product,
        cast(sessions.session_index - event_day0.day0_index as integer) as relative_day,
        sessions.session_date as trade_date
    from event_day0
    inner join sessions
        on sessions.session_index
            between event_day0.day0_index + {{ estimation_window[0] }}
            and event_day0.day0_index + {{ event_period[1] }}
    cross join product_coverage
    where exists (
        select 1
        from sessions as day0
        where day0.session_index = event_day0.day0_index
            and day0.session_date between product_coverage.first_date and product_coverage.last_date
    )

),

with_flows as (

    select
        event_days.event_id,
        event_days.product,
        event_days.relative_day,
        event_days.trade_date,
        total_flows.flow_usd,
        event_days.relative_day
            between {{ estimation_window[0] }} and {{ estimation_window[1] }} as is_estimation_day,
        event_days.relative_day
            between {{ event_period[0] }} and {{ event_period[1] }} as is_event_period_day
    from event_days
    left join total_flows
        on event_days.product = total_flows.product
        and event_days.trade_date = total_flows.flow_date
        and total_flows.market_open

),

estimation as (

    select
        event_id,
        product,
        count(flow_usd) as n_estimation_days,
        avg(flow_usd) as estimation_mean_flow_usd,
        stddev_samp(flow_usd) as estimation_sd_flow_usd
    from with_flows
    where is_estimation_day
    group by event_id, product

),

abnormal as (

    select
        with_flows.event_id,
        with_flows.product,
        with_flows.relative_day,
        with_flows.trade_date,
        with_flows.is_estimation_day,
        with_flows.is_event_period_day,
        with_flows.flow_usd,
        estimation.n_estimation_days,
        case when estimation.n_estimation_days >= {{ min_estimation_days }}
            then estimation.estimation_mean_flow_usd end as estimation_mean_flow_usd,
        case when estimation.n_estimation_days >= {{ min_estimation_days }}
            then estimation.estimation_sd_flow_usd end as estimation_sd_flow_usd
    from with_flows
    inner join estimation
        on with_flows.event_id = estimation.event_id
        and with_flows.product = estimation.product

),

scored as (

    select
        *,
        flow_usd - estimation_mean_flow_usd as abnormal_flow_usd,
        (flow_usd - estimation_mean_flow_usd) / nullif(estimation_sd_flow_usd, 0) as flow_z
    from abnormal

)

select
    event_id,
    product,
    relative_day,
    trade_date,
    is_estimation_day,
    is_event_period_day,
    flow_usd,
    abnormal_flow_usd,
    flow_z,
    case when is_event_period_day then
        sum(abnormal_flow_usd) over (
            partition by event_id, product, is_event_period_day
            order by relative_day
            rows between unbounded preceding and current row
        )
    end as cumulative_abnormal_flow_usd,
    estimation_mean_flow_usd,
    estimation_sd_flow_usd,
    n_estimation_days
from scored

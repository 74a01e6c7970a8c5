-- Cumulative abnormal ETF flow (CAF) per event, product and event window of the engine's study
-- `etf_flows` (config/studies.yml), with its t test: the engine's CAR of the unit
-- (int_es_unit_cars; mean_adjusted: Var(CAF) = s^2 (n + n^2 / L), t with L - 1 degrees of
-- freedom). n_days and the window's total flow come from fct_event_etf_flows; CAF, t and p are
-- shown only when every window day has a flow, else the CAF is not comparable.
{% set study_id = 'etf_flows' %}

with flows as (

    select * from {{ ref('fct_event_etf_flows') }}

),

event_products as (

    select distinct
        event_id,
        product,
        n_estimation_days
    from flows

),

products as (

    select distinct asset_id, product from {{ ref('int_es_flow_values') }}

),

units as (

    select
        pairs.event_id,
        products.product,
        pairs.window_id
    from {{ ref('int_es_pair_status') }} as pairs
    inner join products
        on pairs.asset_id = products.asset_id
    where pairs.study_id = '{{ study_id }}'
        and pairs.window_id is not null

),

windows as (

    select
        window_start,
        window_end
    from {{ ref('stg_es_study_event_windows') }}
    where study_id = '{{ study_id }}'

),

aggregated as (

    select
        event_products.event_id,
        event_products.product,
        windows.window_start,
        windows.window_end,
        event_products.n_estimation_days,
        count(flows.flow_usd) as n_days,
        sum(flows.flow_usd) as flow_usd
    from event_products
    cross join windows
    left join flows
        on event_products.event_id = flows.event_id
        and event_products.product = flows.product
        and flows.relative_day between windows.window_start and windows.window_end
    group by
        event_products.event_id,
        event_products.product,
        windows.window_start,
        windows.window_end,
        event_products.n_estimation_days

),

with_cars as (

    select
        aggregated.*,
        aggregated.n_days = aggregated.window_end - aggregated.window_start + 1 as is_complete,
        cars.car,
        cars.car_t_stat,
        cars.car_p_value
    from aggregated
    left join units
        on aggregated.event_id = units.event_id
        and aggregated.product = units.product
    left join {{ ref('int_es_unit_cars') }} as cars
        on units.window_id = cars.window_id
        and aggregated.window_start = cars.window_start
        and aggregated.window_end = cars.window_end

)

select
    event_id,
    product,
    window_start,
    window_end,
    n_days,
    case when is_complete then flow_usd end as flow_usd,
    case when is_complete then car end as caf_usd,
    case when is_complete then car_t_stat end as t_stat,
    case when is_complete then car_p_value end as p_value,
    n_estimation_days
from with_cars

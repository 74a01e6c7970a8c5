-- Cumulative abnormal ETF flow (CAF) per event, product and event window, with a t test.
-- Windows: those of every study in the event-study configuration that includes the event
-- (stg_es_study_event_windows), plus var etf_flow_event_windows (default [-1,1], [0,0], [0,5]),
-- so every event has the default windows. Mean-adjusted test as in the event-study engine:
-- Var(CAF) = s^2 * (n + n^2 / L) (n window days, L estimation days, s the estimation-window
-- standard deviation), t = CAF / sqrt(Var), two-sided p from Student's t with L - 1 degrees of
-- freedom (UDF t_two_sided_p from warehouse_udfs).
{% set default_windows = var('etf_flow_event_windows') %}

with flows as (

    select * from {{ ref('fct_event_etf_flows') }}

),

event_products as (

    select distinct
        event_id,
        product,
        n_estimation_days,
        estimation_sd_flow_usd
    from flows

),

default_windows as (

    {% for window in default_windows %}
    select
        cast({{ window[0] }} as integer) as window_start,
        cast({{ window[1] }} as integer) as window_end
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

study_windows as (

    select
        study_events.event_id,
        study_windows.window_start,
        study_windows.window_end
    from {{ ref('int_es_study_events') }} as study_events
    inner join {{ ref('stg_es_study_event_windows') }} as study_windows
        on study_events.study_id = study_windows.study_id

),

event_windows as (

    select distinct
        event_products.event_id,
        event_products.product,
        windows.window_start,
        windows.window_end
    from event_products
    inner join (
        select
            event_products.event_id,
            default_windows.window_start,
            default_windows.window_end
        from event_products
        cross join default_windows

        union all

        select
            event_id,
            window_start,
            window_end
        from study_windows
    ) as windows
        on event_products.event_id = windows.event_id

),

aggregated as (

    select
        event_windows.event_id,
        event_windows.product,
        event_windows.window_start,
        event_windows.window_end,
        count(flows.flow_usd) as n_days,
        sum(flows.flow_usd) as flow_usd,
        sum(flows.abnormal_flow_usd) as caf_usd
    from event_windows
    left join flows
        on event_windows.event_id = flows.event_id
        and event_windows.product = flows.product
        and flows.relative_day between event_windows.window_start and event_windows.window_end
    group by
        event_windows.event_id,
        event_windows.product,
        event_windows.window_start,
        event_windows.window_end

),

tested as (

    select
        aggregated.*,
        event_products.n_estimation_days,
        event_products.estimation_sd_flow_usd,
        case
            -- every window day must have a flow, else the CAF is not comparable
            when aggregated.n_days = aggregated.window_end - aggregated.window_start + 1
                then aggregated.caf_usd / nullif(
                    event_products.estimation_sd_flow_usd * sqrt(
                        aggregated.n_days
                        + aggregated.n_days * aggregated.n_days / event_products.n_estimation_days
                    ),
                    0
                )
        end as t_stat
    from aggregated
    inner join event_products
        on aggregated.event_id = event_products.event_id
        and aggregated.product = event_products.product

)

select
    event_id,
    product,
    window_start,
    window_end,
    n_days,
    case when n_days = window_end - window_start + 1 then flow_usd end as flow_usd,
    case when n_days = window_end - window_start + 1 then caf_usd end as caf_usd,
    t_stat,
    t_two_sided_p(t_stat, cast(n_estimation_days - 1 as {{ type_double() }})) as p_value,
    n_estimation_days
from tested

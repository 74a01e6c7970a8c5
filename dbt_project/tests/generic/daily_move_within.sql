{#-
    daily_move_within: from one row to the next of the same series (ordered by `order_by`), the
    value never grows or shrinks by more than its asset class's factor. A tripwire for overflows
    and unit errors (a price in cents, a volume in the close column), not a volatility filter:
    the factors sit well above the largest real daily move of each class.

    `classes_from` is a relation with the series key (same name as `partition_by`) and
    `asset_class`; classes missing from `max_factor_by_class` use `default_max_factor`.

    Usage (column level):
        data_tests:
          - daily_move_within:
              arguments:
                partition_by: asset_id
                order_by: trade_date
                classes_from: ref('dim_asset')
                max_factor_by_class: {crypto: 100, fx: 2}
                default_max_factor: 10
-#}
{% test daily_move_within(
    model, column_name, partition_by, order_by, classes_from, max_factor_by_class,
    default_max_factor=10
) %}

with steps as (

    select
        {{ partition_by }} as series_key,
        {{ order_by }} as step_order,
        {{ column_name }} as step_value,
        lag({{ column_name }}) over (
            partition by {{ partition_by }}
            order by {{ order_by }}
        ) as previous_value
    from {{ model }}

),

bounds as (

    select
        {{ partition_by }} as series_key,
        asset_class,
        case asset_class
            {%- for asset_class, factor in max_factor_by_class.items() %}
            when '{{ asset_class }}' then {{ factor }}
            {%- endfor %}
            else {{ default_max_factor }}
        end as max_factor
    from {{ classes_from }}

)

select
    steps.series_key,
    steps.step_order,
    steps.previous_value,
    steps.step_value,
    bounds.asset_class,
    bounds.max_factor
from steps
inner join bounds
    on steps.series_key = bounds.series_key
where steps.previous_value > 0
    and steps.step_value > 0
    -- A difference of logs, not the log of a ratio: x / infinity would be ln(0), an error.
    and abs(ln(steps.step_value) - ln(steps.previous_value)) > ln(bounds.max_factor)

{% endtest %}

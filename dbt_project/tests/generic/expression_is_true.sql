{#-
    expression_is_true: every row of the model satisfies a boolean SQL expression
    (rows where it is false or null fail). A small stand-in for dbt_utils.expression_is_true.

    Usage (model level):
        data_tests:
          - expression_is_true:
              arguments:
                expression: "market_open or flow_usd is null"
-#}
{% test expression_is_true(model, expression) %}

select *
from {{ model }}
where not coalesce(({{ expression }}), false)

{% endtest %}

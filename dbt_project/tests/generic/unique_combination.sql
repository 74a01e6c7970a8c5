{#-
    unique_combination: no two rows of the model share the same values in all of
    `combination_of_columns` (nulls compare equal, as in GROUP BY). A small stand-in for
    dbt_utils.unique_combination_of_columns, which this project cannot install.

    Usage (model level):
        data_tests:
          - unique_combination:
              arguments:
                combination_of_columns: [source_id, bar_date]
-#}
{% test unique_combination(model, combination_of_columns) %}

with grouped as (

    select
        {{ combination_of_columns | join(',\n        ') }},
        count(*) as n_rows
    from {{ model }}
    group by
        {{ combination_of_columns | join(',\n        ') }}

)

select *
from grouped
where n_rows > 1

{% endtest %}

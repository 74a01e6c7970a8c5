{#-
    plausible_price: every price of the column is finite and positive, and its date is not in
    the future (after tomorrow, so markets east of UTC are never flagged). The SQL twin of the
    ingest plausibility rules (ingest/plausibility.py) for what slips past them.

    Usage (column level):
        data_tests:
          - plausible_price:
              arguments:
                date_column: trade_date
-#}
{% test plausible_price(model, column_name, date_column) %}

with checked as (

    select
        *,
        case
            when not {{ is_finite(column_name) }} then 'not finite'
            when {{ column_name }} <= 0 then 'not positive'
            when {{ date_column }} > {{ dbt.dateadd('day', 1, 'current_date') }}
                then 'dated in the future'
        end as problem
    from {{ model }}

)

select *
from checked
where problem is not null

{% endtest %}

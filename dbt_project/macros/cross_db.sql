{#-
    Small cross-database helpers (adapter.dispatch): DuckDB implementations plus a default
    that works on Postgres-like engines, so the models stay portable (see DESIGN.md).
-#}

{#- A TIMESTAMP WITH TIME ZONE as a naive TIMESTAMP holding the UTC wall-clock time. -#}
{% macro to_utc_timestamp(expression) -%}
    {{ return(adapter.dispatch('to_utc_timestamp', 'event_study_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__to_utc_timestamp(expression) -%}
    cast(({{ expression }}) at time zone 'UTC' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{% macro duckdb__to_utc_timestamp(expression) -%}
    timezone('UTC', {{ expression }})
{%- endmacro %}

{#- Number of elements of an array column (null for a null array). -#}
{% macro array_size(expression) -%}
    {{ return(adapter.dispatch('array_size', 'event_study_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__array_size(expression) -%}
    cardinality({{ expression }})
{%- endmacro %}

{% macro duckdb__array_size(expression) -%}
    len({{ expression }})
{%- endmacro %}

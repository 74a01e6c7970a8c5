{#-
    Small cross-database helpers (adapter.dispatch): DuckDB implementations plus a default
    that works on Postgres-like engines, so the models stay portable beyond DuckDB.
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

{#- 8-byte floating point. dbt.type_float() renders 'float', which is 4 bytes on DuckDB. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'event_study_warehouse')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro duckdb__type_double() -%}
    double
{%- endmacro %}

{% macro spark__to_utc_timestamp(expression) -%}
    {#- The session time zone is UTC (warehouse_engine/spark_session.py): already UTC wall time. -#}
    cast({{ expression }} as timestamp)
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}

{#- The type of a list of strings (VARCHAR[] on DuckDB, ARRAY<STRING> on Spark). -#}
{% macro type_string_array() -%}
    {{ return(adapter.dispatch('type_string_array', 'event_study_warehouse')()) }}
{%- endmacro %}

{% macro default__type_string_array() -%}
    varchar[]
{%- endmacro %}

{% macro spark__type_string_array() -%}
    array<string>
{%- endmacro %}

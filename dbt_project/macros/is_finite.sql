{#- True when a double is a real number: not NaN, not +/-Infinity (null stays null).
    Used by the plausible_price test; DuckDB has isfinite, other engines compare with the
    largest finite double (NaN compares greater than every number there as in DuckDB). -#}
{% macro is_finite(expression) -%}
    {{ return(adapter.dispatch('is_finite', 'event_study_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__is_finite(expression) -%}
    ({{ expression }} between -1.7976931348623157e308 and 1.7976931348623157e308)
{%- endmacro %}

{% macro duckdb__is_finite(expression) -%}
    isfinite({{ expression }})
{%- endmacro %}

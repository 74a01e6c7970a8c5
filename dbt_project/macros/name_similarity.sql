{#- Similarity of two strings in [0, 1] (Jaro-Winkler), used to match hack names across sources.
    DuckDB has it built in; other engines need their own implementation (e.g. a UDF). -#}
{% macro name_similarity(left, right) -%}
    {{ return(adapter.dispatch('name_similarity', 'event_study_warehouse')(left, right)) }}
{%- endmacro %}

{% macro default__name_similarity(left, right) -%}
    jaro_winkler_similarity({{ left }}, {{ right }})
{%- endmacro %}

{% macro duckdb__name_similarity(left, right) -%}
    jaro_winkler_similarity({{ left }}, {{ right }})
{%- endmacro %}

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

{#- Spark: RapidFuzz's Jaro-Winkler (the algorithm and parameters of DuckDB's), a pandas UDF
    registered on the session (warehouse_engine/spark_udfs.py). -#}
{% macro spark__name_similarity(left, right) -%}
    name_similarity_jw({{ left }}, {{ right }})
{%- endmacro %}

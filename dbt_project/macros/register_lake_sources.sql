{#-
    On Spark (WAREHOUSE_ENGINE=spark) the raw tables are Parquet folders in the lake
    (LAKE_DIR/raw/<table>/, written by warehouse_engine/lake.py after the ingest): declare each
    source of schema raw as an external table over its folder, so the sources and every
    {{ source('raw', ...) }} stay the same on both engines. Dropping an external table leaves
    its files alone. On DuckDB the raw tables are the ingest's own: nothing to do.
    The local Spark session does this from Python before dbt runs (warehouse_engine/lake.py);
    on a cluster target run it once per ingest: dbt run-operation register_lake_sources.
-#}
{% macro register_lake_sources() -%}
    {{ return(adapter.dispatch('register_lake_sources', 'event_study_warehouse')()) }}
{%- endmacro %}

{% macro default__register_lake_sources() -%}
    select 1
{%- endmacro %}

{% macro spark__register_lake_sources() -%}
    {%- if execute -%}
        {%- set lake = env_var('LAKE_DIR', '../lake') -%}
        {%- set tables = [] -%}
        {%- for node in graph.sources.values() if node.source_name == 'raw' -%}
            {%- do tables.append(node.identifier) -%}
        {%- endfor -%}
        {%- do run_query('create schema if not exists raw') -%}
        {%- for table in tables | unique | sort -%}
            {%- do run_query('drop table if exists raw.' ~ table) -%}
            {%- do run_query("create table raw." ~ table ~ " using parquet location '" ~ lake ~ "/raw/" ~ table ~ "'") -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}

{#-
    dbt-duckdb's list_schemas with the database's quotes stripped: dbt-core passes the quoted
    name ("warehouse"), which dbt-duckdb compared with the bare catalog name, so no schema was
    ever found and every run issued CREATE SCHEMA for each of its schemas again.
-#}
{% macro duckdb__list_schemas(database) -%}
    {% set sql %}
    select schema_name
    from system.information_schema.schemata
    {% if database is not none %}
        where lower(catalog_name) = '{{ database | replace('"', '') | lower }}'
    {% endif %}
    {% endset %}
    {{ return(run_query(sql)) }}
{%- endmacro %}

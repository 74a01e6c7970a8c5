{#- Tables and views on DuckDB, rebuilt in place: the old relation is dropped and the new one
    created in ONE transaction, so a model that fails leaves the previous relation as it was.

    dbt-duckdb's own `table` (and dbt's default `view`) builds `<name>__dbt_tmp`, renames the old
    relation to `<name>__dbt_backup`, renames the new one into place, commits and drops the
    backup: the dance of databases without transactional DDL. DuckDB has it, and each statement
    dbt sends costs it 4-8 ms of Python (macro calls, events, the relation cache, log lines),
    more than most small models' SQL. So the drop, the create and the descriptions (persist_docs)
    go to DuckDB as ONE statement: with BEGIN and COMMIT, three per model instead of about ten.
    Contracts and hooks work as before (create_table_as is the adapter's own). Spark keeps
    dbt-spark's materializations (adapter='duckdb'). -#}

{% macro duckdb_in_place_build(target_relation, create_sql) %}
  {%- set existing_relation = load_cached_relation(this) -%}
  {#- a build killed under the old materialisation may have left these: gone before they are
      published (from dbt's relation cache: no query when there are none) -#}
  {%- set leftovers = [
      load_cached_relation(make_intermediate_relation(target_relation)),
      load_cached_relation(make_backup_relation(target_relation, target_relation.type))] -%}
  {%- for leftover in leftovers if leftover is not none %}
    {{ drop_relation_if_exists(leftover) }}
  {%- endfor %}
  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}
  {%- set drop_sql = duckdb_in_place_drop(existing_relation) %}
  {% call statement('main') -%}
    {{ drop_sql }}
    {{ create_sql }};
    {{ duckdb_docs_as_comments(target_relation, model) }}
  {%- endcall %}
  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {{ adapter.commit() }}
  {{ run_hooks(post_hooks, inside_transaction=False) }}
  {{ return({'relations': [target_relation]}) }}
{% endmacro %}

{#- The statement that drops the relation being rebuilt, sent with its create; the transaction
    opened first. A table that foreign keys may reference takes dbt-duckdb's path (its
    dependents dropped first, each its own statement): nothing to send then. -#}
{% macro duckdb_in_place_drop(existing_relation) %}
  {%- if existing_relation is none %}
    {{ return('') }}
  {%- endif %}
  {%- if existing_relation.is_table and may_be_foreign_key_target(existing_relation) %}
    {%- do drop_relation_for_rebuild(existing_relation) %}
    {{ return('') }}
  {%- endif %}
  {%- do adapter.ensure_transaction() %}
  {%- do adapter.cache_dropped(existing_relation) %}
  {{ return('drop ' ~ existing_relation.type ~ ' if exists ' ~ existing_relation ~ ' cascade;') }}
{% endmacro %}

{#- persist_docs as statements to send with the create: the model's description on the relation,
    each described column's on the column. dbt's persist_docs first asks DuckDB for the columns
    (twice, with dbt-duckdb's) to skip YAML columns the relation lacks; here such a column fails
    the model instead (DuckDB: "does not have a column with name"): its YAML documents a column
    the model does not have. -#}
{% macro duckdb_docs_as_comments(relation, model) %}
  {%- if config.persist_relation_docs() and model.description %}
    {{ alter_relation_comment(relation, model.description) }}
  {%- endif %}
  {%- if config.persist_column_docs() %}
    {%- for name, column in model.columns.items() if column.description %}
    comment on column {{ relation }}.{{ adapter.quote(name) if column.quote else name }}
        is {{ duckdb_escape_comment(column.description) }};
    {%- endfor %}
  {%- endif %}
{% endmacro %}

{% materialization table, adapter='duckdb', supported_languages=['sql'] %}
  {%- set target_relation = this.incorporate(type='table') -%}
  {{ return(duckdb_in_place_build(
      target_relation, create_table_as(False, target_relation, compiled_code))) }}
{% endmaterialization %}

{% materialization view, adapter='duckdb' %}
  {%- set target_relation = this.incorporate(type='view') -%}
  {{ return(duckdb_in_place_build(target_relation, get_create_view_as_sql(target_relation, sql))) }}
{% endmaterialization %}

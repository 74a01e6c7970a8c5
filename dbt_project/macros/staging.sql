{#-
    The pattern every staging model over a dataset table shares: keep the latest row per
    source_id and row key (the key the loader enforces, declared in ingest/datasets.py and carried
    into the generated _sources.yml as meta.row_key, or the coarser meta.staging_key where the
    dataset declares one), then type the lineage columns the same way.
-#}

{#- The key staging deduplicates raw.<table> on, as ingest/datasets.py declares it. -#}
{% macro source_staging_key(table) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set node = graph.sources.get('source.' ~ project_name ~ '.raw.' ~ table) -%}
    {%- set meta = (node.config.meta or {}) if node else {} -%}
    {%- set key = meta.get('staging_key') or meta.get('row_key') -%}
    {%- if not key -%}
        {{ exceptions.raise_compiler_error("source raw." ~ table ~ " declares no meta.row_key (ingest/datasets.py)") }}
    {%- endif -%}
    {{ return(key) }}
{%- endmacro %}

{#- The latest row of raw.<table> per source_id and its declared key, with the table's declared
    columns. -#}
{% macro latest_source_rows(table) -%}
    {{ latest_rows(
        source('raw', table),
        partition_by=['source_id'] + source_staging_key(table),
        order_by='loaded_at desc, source_line',
        columns=source_columns(table),
    ) }}
{%- endmacro %}

{#- The first row of `relation` per `partition_by` in `order_by` order (the latest, ordered
    newest first), with `columns`. A ranked subquery rather than QUALIFY: portable to Spark. -#}
{% macro latest_rows(relation, partition_by, order_by, columns) -%}
    select {{ columns | join(', ') }}
    from (
        select
            *,
            row_number() over (
                partition by {{ partition_by | join(', ') }}
                order by {{ order_by }}
            ) as latest_rank
        from {{ relation }}
    ) as ranked
    where latest_rank = 1
{%- endmacro %}

{#- The columns of raw.<table> as ingest/datasets.py declares them (the generated _sources.yml). -#}
{% macro source_columns(table) -%}
    {%- if not execute -%}
        {{ return(['*']) }}
    {%- endif -%}
    {%- set node = graph.sources.get('source.' ~ project_name ~ '.raw.' ~ table) -%}
    {%- set columns = node.columns.keys() | list if node else [] -%}
    {%- if not columns -%}
        {{ exceptions.raise_compiler_error("source raw." ~ table ~ " declares no columns (ingest/datasets.py)") }}
    {%- endif -%}
    {{ return(columns) }}
{%- endmacro %}

{#- The lineage columns every dataset row carries, typed (loaded_at as naive UTC). -#}
{% macro staged_lineage_columns(relation_alias=none) -%}
    {%- set prefix = relation_alias ~ '.' if relation_alias else '' -%}
    cast({{ prefix }}origin as {{ dbt.type_string() }}) as origin,
        cast({{ prefix }}payload_sha256 as {{ dbt.type_string() }}) as payload_sha256,
        cast({{ prefix }}source_line as integer) as source_line,
        {{ to_utc_timestamp(prefix ~ 'loaded_at') }} as loaded_at_utc
{%- endmacro %}

{#- A reported loss: a source's 0 (or less) means the loss is not known, so it is null. -#}
{% macro known_loss_usd(expression) -%}
    case when {{ expression }} > 0 then cast({{ expression }} as {{ type_double() }}) end
{%- endmacro %}

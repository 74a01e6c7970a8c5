{#-
    The column types of the marts' contracts (data_type in their YAML) are DuckDB's names;
    Spark calls a few of them differently. dbt.cast (used by the contract check, which casts NULL
    to every declared type) translates them on Spark, so one contract serves both engines.
-#}
{% macro spark_type(type) -%}
    {%- set t = type | trim | lower -%}
    {%- set names = {'varchar': 'string', 'text': 'string', 'integer': 'int'} -%}
    {%- if t.endswith('[]') -%}
        array<{{ spark_type(t[:-2]) }}>
    {%- else -%}
        {{ names.get(t, t) }}
    {%- endif -%}
{%- endmacro %}

{% macro spark__cast(field, type) -%}
    cast({{ field }} as {{ spark_type(type) }})
{%- endmacro %}

{#- Seeds on Spark: dbt-spark's session method formats the seed rows into its INSERT without
    escaping quotes (a value like "Farside's" breaks the statement). Rows go in as string
    literals cast to each column's type instead, quotes and backslashes as chr(39) and chr(92)
    (string literals keep backslashes on this session: escapedStringLiterals). -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for col_name in agate_table.column_names -%}
                    {%- set type = column_override.get(col_name, adapter.convert_type(agate_table, loop.index0)) -%}
                    {%- set value = row[loop.index0] -%}
                    {%- if value is none -%}
                        cast(null as {{ type }})
                    {%- else -%}
                        cast('{{ (value | string).replace("\\", "' || chr(92) || '").replace("'", "' || chr(39) || '") }}' as {{ type }})
                    {%- endif -%}
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}{%- do statements.append(sql) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{% endmacro %}

{#- One value of seed finding_parameters as a scalar subquery cast to `type` (double, integer,
    date, varchar). claim_id 'all' holds the parameters every claim shares (p_crit).
    On Spark each scalar subquery is a job of its own, and fct_findings has about a hundred:
    there the value is read when the model is compiled and written in as a constant (unit tests,
    whose seed is a fixture, keep the subquery). -#}
{% macro finding_param(claim_id, parameter, type='double') -%}
    {{ return(adapter.dispatch('finding_param', 'event_study_warehouse')(claim_id, parameter, type)) }}
{%- endmacro %}
{% macro default__finding_param(claim_id, parameter, type) -%}
    (
        select {{ dbt.cast('value', type) }}
        from {{ ref('finding_parameters') }}
        where claim_id = '{{ claim_id }}' and parameter = '{{ parameter }}'
    )
{%- endmacro %}
{% macro spark__finding_param(claim_id, parameter, type) -%}
    {#- the whole seed, read once per model compiled (kept on its `model` context) -#}
    {%- set seed = ref('finding_parameters') -%}
    {%- if (seed | string).startswith('__dbt__cte__') -%}
        {#- a unit test: the seed is its fixture, a CTE of the test's query -#}
        {{ return(default__finding_param(claim_id, parameter, type)) }}
    {%- endif -%}
    {%- if execute and '_finding_parameters' not in model -%}
        {%- set params = {} -%}
        {%- for row in run_query('select claim_id, parameter, value from ' ~ seed) -%}
            {%- do params.update({row[0] ~ '|' ~ row[1]: row[2]}) -%}
        {%- endfor -%}
        {%- do model.update({'_finding_parameters': params}) -%}
    {%- endif -%}
    {%- set value = model.get('_finding_parameters', {}).get(claim_id ~ '|' ~ parameter) -%}
    {%- if value is none -%}
        {{ dbt.cast('null', type) }}
    {%- else -%}
        {{ dbt.cast(sql_text(value | string), type) }}
    {%- endif -%}
{%- endmacro %}

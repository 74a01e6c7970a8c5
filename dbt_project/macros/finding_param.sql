{#- One value of seed finding_parameters as a scalar subquery cast to `type` (double, integer,
    date, varchar). claim_id 'all' holds the parameters every claim shares (p_crit). -#}
{% macro finding_param(claim_id, parameter, type='double') -%}
    (
        select {{ dbt.cast('value', type) }}
        from {{ ref('finding_parameters') }}
        where claim_id = '{{ claim_id }}' and parameter = '{{ parameter }}'
    )
{%- endmacro %}

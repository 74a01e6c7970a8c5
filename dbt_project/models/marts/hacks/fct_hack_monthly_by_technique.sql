-- Hack-database losses and incident counts per calendar month (of incident_date), incident
-- class, technique and target type (null values shown as 'unknown'). Summing a month's rows
-- gives its fct_hack_monthly row of scope 'all'; summing the rows with is_hack gives scope
-- 'hacks'. loss_usd sums fct_hack_incident.amount_usd (incidents without an amount at the time
-- add 0 to the loss but count in n_incidents; n_incidents_with_loss counts those with one).
with incidents as (

    select
        cast({{ dbt.date_trunc('month', 'incident_date') }} as date) as month,
        incident_class,
        is_hack,
        coalesce(nullif(trim(technique), ''), 'unknown') as technique,
        coalesce(nullif(trim(target_type), ''), 'unknown') as target_type,
        amount_usd
    from {{ ref('fct_hack_incident') }}

)

select
    month,
    cast(incident_class as {{ dbt.type_string() }}) as incident_class,
    is_hack,
    cast(technique as {{ dbt.type_string() }}) as technique,
    cast(target_type as {{ dbt.type_string() }}) as target_type,
    cast(count(*) as integer) as n_incidents,
    cast(count(amount_usd) as integer) as n_incidents_with_loss,
    cast(coalesce(sum(amount_usd), 0) as {{ type_double() }}) as loss_usd
from incidents
group by month, incident_class, is_hack, technique, target_type

-- Hack losses and incident counts per calendar month (of incident_date) in two scopes, from
-- fct_hack_monthly_by_technique: 'hacks' (is_hack incidents: hacks and exploits of protocols,
-- exchanges, bridges and custodians) and 'all' (every class, phishing, scams, depegs and
-- valuations included). A month appears in a scope when the scope has an incident that month.
with scoped as (

    select month, 'hacks' as scope, n_incidents, n_incidents_with_loss, loss_usd
    from {{ ref('fct_hack_monthly_by_technique') }}
    where is_hack
    union all
    select month, 'all' as scope, n_incidents, n_incidents_with_loss, loss_usd
    from {{ ref('fct_hack_monthly_by_technique') }}

)

select
    month,
    cast(scope as {{ dbt.type_string() }}) as scope,
    cast(sum(n_incidents) as integer) as n_incidents,
    cast(sum(n_incidents_with_loss) as integer) as n_incidents_with_loss,
    cast(sum(loss_usd) as {{ type_double() }}) as loss_usd
from scoped
group by month, scope

-- Hack losses and incident counts per calendar month (of incident_date), all incidents.
-- loss_usd sums fct_hack_incident.amount_usd (incidents without any amount add 0 to the loss
-- but count in n_incidents; n_incidents_with_loss counts those with an amount).
select
    month,
    cast(sum(n_incidents) as integer) as n_incidents,
    cast(sum(n_incidents_with_loss) as integer) as n_incidents_with_loss,
    cast(sum(loss_usd) as {{ type_double() }}) as loss_usd
from {{ ref('fct_hack_monthly_by_technique') }}
group by month

-- Hack losses and incident counts per calendar month (of incident_date), at two grains in one
-- table (grain column):
--   'technique_target_type': one row per month, technique and target_type (null values are
--       shown as 'unknown');
--   'month': the all-up row per month, technique = target_type = 'all'.
-- loss_usd sums fct_hack_incident.amount_usd (incidents without any amount add 0 to the loss
-- but count in n_incidents; n_incidents_with_loss counts those with an amount).
with incidents as (

    select
        cast({{ dbt.date_trunc('month', 'incident_date') }} as date) as month,
        coalesce(nullif(trim(technique), ''), 'unknown') as technique,
        coalesce(nullif(trim(target_type), ''), 'unknown') as target_type,
        amount_usd
    from {{ ref('fct_hack_incident') }}

),

by_technique as (

    select
        month,
        'technique_target_type' as grain,
        technique,
        target_type,
        count(*) as n_incidents,
        count(amount_usd) as n_incidents_with_loss,
        coalesce(sum(amount_usd), 0) as loss_usd
    from incidents
    group by month, technique, target_type

),

all_up as (

    select
        month,
        'month' as grain,
        'all' as technique,
        'all' as target_type,
        count(*) as n_incidents,
        count(amount_usd) as n_incidents_with_loss,
        coalesce(sum(amount_usd), 0) as loss_usd
    from incidents
    group by month

),

unioned as (

    select * from by_technique
    union all
    select * from all_up

)

select
    cast(month as date) as month,
    cast(grain as {{ dbt.type_string() }}) as grain,
    cast(technique as {{ dbt.type_string() }}) as technique,
    cast(target_type as {{ dbt.type_string() }}) as target_type,
    cast(n_incidents as integer) as n_incidents,
    cast(n_incidents_with_loss as integer) as n_incidents_with_loss,
    cast(loss_usd as {{ type_double() }}) as loss_usd
from unioned

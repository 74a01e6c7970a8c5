-- February 2025 hack losses against the monthly history (fct_hack_monthly): the month's rank and
-- percentile (cume_dist) among months in scope 'hacks' (hacks and exploits only, what the claim
-- is about) decide; the rank among months of scope 'all' (phishing, scams, depegs and
-- valuation-only records included) is in the note, to show what the non-hack classes did to it.
{% set claim_id = 'feb_2025_hack_losses' %}
with months as (

    select
        scope,
        month,
        loss_usd,
        cume_dist() over (partition by scope order by loss_usd) as percentile,
        rank() over (partition by scope order by loss_usd desc) as loss_rank,
        count(*) over (partition by scope) as n_months,
        min(month) over (partition by scope) as first_month
    from {{ ref('fct_hack_monthly') }}

),

feb as (

    select
        max(loss_usd) filter (where scope = 'hacks') as loss_usd,
        max(percentile) filter (where scope = 'hacks') as percentile,
        max(loss_rank) filter (where scope = 'hacks') as loss_rank,
        max(n_months) filter (where scope = 'hacks') as n_months,
        max(first_month) filter (where scope = 'hacks') as first_month,
        max(loss_usd) filter (where scope = 'all') as loss_all_usd,
        max(loss_rank) filter (where scope = 'all') as loss_rank_all,
        max(n_months) filter (where scope = 'all') as n_months_all,
        {{ finding_param(claim_id, 'percentile_min') }} as percentile_min
    from months
    where month = {{ finding_param(claim_id, 'month', 'date') }}

),

top_month as (

    select
        {{ arg_max('month', 'loss_usd') }} filter (where scope = 'hacks') as top_hacks_month,
        {{ arg_max('month', 'loss_usd') }} filter (where scope = 'all') as top_all_month
    from months

)

select
    '{{ claim_id }}' as claim_id,
    {{ finding_param(claim_id, 'claim', 'varchar') }} as claim,
    'Hack losses in ' || {{ format_date(finding_param(claim_id, 'month', 'date'), '%B %Y') }}
    || ' (USD, scope hacks: hacks and exploits of protocols, exchanges, bridges and custodians)'
        as metric,
    {{ finding_param(claim_id, 'month', 'date') }} as period_start,
    cast({{ finding_param(claim_id, 'month', 'date') }} + interval 1 month - interval 1 day as date)
        as period_end,
    f.loss_usd as value,
    {{ finding_verdict(
        'f.loss_usd is not null and f.percentile is not null',
        'f.percentile >= f.percentile_min',
        'true',
        finding_param(claim_id, 'claim_kind', 'varchar')
    ) }} as verdict,
    {{ sql_text("Percentile rank (cume_dist) of the month's losses among all months of scope ") }}
    || 'hacks' as test,
    'percentile' as statistic_name,
    f.percentile as statistic,
    cast(null as {{ type_double() }}) as p_value,
    f.percentile_min as threshold,
    'supported when the percentile >= ' || {{ format_g('f.percentile_min') }} as decision_rule,
    {{ sql_text("marts.fct_hack_monthly where scope = 'hacks': loss_usd of ") }}
    || {{ finding_param(claim_id, 'month', 'date') }} || ' ranked among all months (cume_dist, '
    || {{ sql_text("rank by loss_usd desc); scope 'all' for the comparison") }} as evidence,
    'Rank ' || coalesce(cast(f.loss_rank as {{ dbt.type_string() }}), 'n/a') || ' of '
    || coalesce(cast(f.n_months as {{ dbt.type_string() }}), 'n/a') || ' months since '
    || coalesce(cast(f.first_month as {{ dbt.type_string() }}), 'n/a') || ', percentile '
    || coalesce({{ format_fixed('f.percentile', 3) }}, 'n/a') || ' (top month '
    || coalesce(cast(t.top_hacks_month as {{ dbt.type_string() }}), 'n/a')
    || '). With every class (scope all: '
    || coalesce({{ format_fixed('f.loss_all_usd / 1e6', 0) }}, 'n/a') || 'm USD): rank '
    || coalesce(cast(f.loss_rank_all as {{ dbt.type_string() }}), 'n/a') || ' of '
    || coalesce(cast(f.n_months_all as {{ dbt.type_string() }}), 'n/a') || ' (top month '
    || coalesce(cast(t.top_all_month as {{ dbt.type_string() }}), 'n/a') || '). Losses are '
    || {{ sql_text("the median of the sources' losses at the time per reconciled incident ") }}
    || '(fct_hack_incident); early years are covered more thinly.' as note
from feb as f
cross join top_month as t

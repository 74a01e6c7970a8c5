-- One row per testable claim of the articles in ../shared/context/, unioned from one model per
-- claim family (each documents its test). Claim texts, parameters and thresholds are in seed
-- finding_parameters; every verdict comes from macro finding_verdict.
with findings as (

    select * from {{ ref('findings_etf_flows') }}
    union all
    select * from {{ ref('findings_day0_abnormal_returns') }}
    union all
    select * from {{ ref('findings_crypto_day0') }}
    union all
    select * from {{ ref('findings_cross_section') }}
    union all
    select * from {{ ref('findings_btc_etf_approval') }}
    union all
    select * from {{ ref('findings_macro_levels') }}
    union all
    select * from {{ ref('findings_hack_losses') }}

)

select
    cast(claim_id as {{ dbt.type_string() }}) as claim_id,
    cast(claim as {{ dbt.type_string() }}) as claim,
    cast(metric as {{ dbt.type_string() }}) as metric,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(value as {{ type_double() }}) as value,
    cast(verdict as {{ dbt.type_string() }}) as verdict,
    cast(test as {{ dbt.type_string() }}) as test,
    cast(statistic_name as {{ dbt.type_string() }}) as statistic_name,
    cast(statistic as {{ type_double() }}) as statistic,
    cast(p_value as {{ type_double() }}) as p_value,
    cast(threshold as {{ type_double() }}) as threshold,
    cast(decision_rule as {{ dbt.type_string() }}) as decision_rule,
    cast(evidence as {{ dbt.type_string() }}) as evidence,
    cast(note as {{ dbt.type_string() }}) as note
from findings

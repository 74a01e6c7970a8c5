-- How well the hack reconciliation works: one row per metric (and per source for the
-- per-source metrics; source = 'all' otherwise). The large-incident threshold is the dbt var
-- hack_reconciliation_threshold_usd (default 10,000,000 USD). 'since_2023' metrics cover
-- incidents from 2023-01-03, the first day all five sources cover (BlockSec starts then). The
-- share and spread metrics cover is_hack incidents (SlowMist's frauds are in no other source).
-- The record-by-record report is fct_hack_incident_records.
{% set threshold = var('hack_reconciliation_threshold_usd') %}
with incidents as (

    select
        *,
        is_hack and amount_usd >= {{ threshold }} as is_large,
        incident_date >= cast('2023-01-03' as date) as is_since_2023
    from {{ ref('fct_hack_incident') }}

),

records as (

    select r.source, r.link_type, r.date_rule, i.n_sources
    from {{ ref('fct_hack_incident_records') }} as r
    inner join {{ ref('fct_hack_incident') }} as i
        on r.incident_id = i.incident_id

),

overall as (

    select
        'n_incidents' as metric,
        'all' as source,
        cast(count(*) as {{ type_double() }}) as value,
        'Incidents after reconciliation (unmatched records kept as their own incidents).'
            as description
    from incidents
    union all
    select
        'n_incidents_hacks',
        'all',
        count(*) filter (where is_hack),
        'Incidents with is_hack (hacks and exploits of protocols, exchanges, bridges, custodians).'
    from incidents
    union all
    select
        'n_incidents_multi_source',
        'all',
        count(*) filter (where n_sources >= 2),
        'Incidents found in 2 or more sources.'
    from incidents
    union all
    select
        'n_incidents_all_five_sources',
        'all',
        count(*) filter (where n_sources = 5),
        'Incidents found in all five sources.'
    from incidents
    union all
    select
        'n_incidents_large',
        'all',
        count(*) filter (where is_large),
        'is_hack incidents with amount_usd >= the threshold '
        || '(var hack_reconciliation_threshold_usd).'
    from incidents
    union all
    select
        'share_large_incidents_multi_source',
        'all',
        avg(case when n_sources >= 2 then {{ dbt.cast("1", type_double()) }} else 0 end) filter (
            where is_large
        ),
        'Share of is_hack incidents with amount_usd >= the threshold found in 2 or more sources '
        || '(all dates).'
    from incidents
    union all
    select
        'share_large_incidents_multi_source_since_2023',
        'all',
        avg(case when n_sources >= 2 then {{ dbt.cast("1", type_double()) }} else 0 end) filter (
            where is_large and is_since_2023
        ),
        'As share_large_incidents_multi_source, incidents from 2023-01-03 (all five sources cover).'
    from incidents
    union all
    select
        'median_amount_spread_ratio',
        'all',
        median(
            greatest(
                amount_defillama_usd, amount_slowmist_usd, amount_defi_rekt_usd,
                amount_blocksec_usd, amount_rekt_news_usd
            ) / least(
                amount_defillama_usd, amount_slowmist_usd, amount_defi_rekt_usd,
                amount_blocksec_usd, amount_rekt_news_usd
            )
        ) filter (
            where (
                case when amount_defillama_usd is not null then 1 else 0 end
                + case when amount_slowmist_usd is not null then 1 else 0 end
                + case when amount_defi_rekt_usd is not null then 1 else 0 end
                + case when amount_blocksec_usd is not null then 1 else 0 end
                + case when amount_rekt_news_usd is not null then 1 else 0 end
            ) >= 2
        ),
        'Median over is_hack incidents with 2+ source amounts of (largest / smallest source '
        || 'amount).'
    from incidents
    where is_hack

),

by_kind as (

    select
        'n_incidents_class_' || incident_class as metric,
        'all' as source,
        cast(count(*) as {{ type_double() }}) as value,
        'Incidents of class ' || incident_class || ' (seed hack_incident_classes).' as description
    from incidents
    group by incident_class
    union all
    select
        'n_records_link_' || link_type,
        'all',
        count(*),
        'Source records whose link_type in fct_hack_incident_records is ' || link_type || '.'
    from records
    group by link_type
    union all
    select
        'n_records_date_' || date_rule,
        'all',
        count(*),
        'Source records whose date rule is ' || date_rule || ' (int_hack_records).'
    from records
    group by date_rule

),

per_source as (

    select
        'n_records' as metric,
        source,
        cast(count(*) as {{ type_double() }}) as value,
        'Source records that entered the reconciliation (dated records only).' as description
    from records
    group by source
    union all
    select
        'n_records_matched',
        source,
        count(*) filter (where n_sources >= 2),
        'Source records matched to at least one other source.'
    from records
    group by source
    union all
    select
        'n_records_unmatched',
        source,
        count(*) filter (where n_sources = 1),
        'Source records found in no other source (kept as single-source incidents).'
    from records
    group by source
    union all
    select
        'share_records_matched',
        source,
        avg(case when n_sources >= 2 then {{ dbt.cast("1", type_double()) }} else 0 end),
        'Share of the source records matched to at least one other source.'
    from records
    group by source

),

unioned as (

    select * from overall
    union all
    select * from by_kind
    union all
    select * from per_source

)

select
    cast(metric as {{ dbt.type_string() }}) as metric,
    cast(source as {{ dbt.type_string() }}) as source,
    cast(value as {{ type_double() }}) as value,
    cast(description as {{ dbt.type_string() }}) as description
from unioned

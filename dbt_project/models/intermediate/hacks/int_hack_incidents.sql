-- One row per real-world incident reconciled across the five hack sources, of every class; read
-- by the mart fct_hack_incident and by int_es_events (large hacks become events). Matching:
-- int_hack_matches; class: int_hack_incident_classes. Column rules:
--   incident_date: the records that agree on a date are those with the most other records of
--       the incident within 7 days (a copy dated a year off, or a lone disclosure date, drops
--       out); among them the UTC day of BlockSec's first attack transaction, else the first
--       source in precedence defillama, defi_rekt, slowmist, rekt_news (rekt.news years
--       corrected: int_hack_records). date_basis says which.
--   amount_usd: MEDIAN of the positive amounts that are losses at the time (value_basis
--       'at_incident'); rekt.news valuations written more than a year later only widen the
--       range (amount_min_usd .. amount_max_usd, every source amount). An incident with no
--       at-the-time amount, or classed seizure_valuation_only, has amount_usd null and
--       value_basis 'later_valuation'; 'none' when no source states an amount.
--   name: the canonical name of seed hack_name_aliases when an alias renamed a record of the
--       incident ('Wormhole', not DeFiLlama's 'Portal'), else as the attributes below.
--   chains, technique, classification, target_type: first non-null value in precedence
--       defillama, blocksec, defi_rekt, slowmist, rekt_news (DeFiLlama is the primary table).
--   returned_usd: precedence defi_rekt, blocksec, defillama (DeFiLlama counts Bybit's reserve
--       refill as returned).  source_url: precedence blocksec, rekt_news, defillama, slowmist.
{#- source precedence: which source's value an incident takes (attributes, its date, the
    returned amount, the link) -#}
{% set attribute_order = ['defillama', 'blocksec', 'defi_rekt', 'slowmist', 'rekt_news'] %}
{% set date_order = ['defillama', 'defi_rekt', 'slowmist', 'rekt_news', 'blocksec'] %}
{% set returned_order = ['defi_rekt', 'blocksec', 'defillama'] %}
{% set url_order = ['blocksec', 'rekt_news', 'defillama', 'slowmist'] %}
with records as (

    select
        m.incident_key,
        r.*,
        {{ position_in('r.source', attribute_order) }} as attribute_precedence,
        {{ position_in('r.source', returned_order) }} as returned_precedence,
        {{ position_in('r.source', url_order) }} as url_precedence,
        -- order keys with the record as tie-break, so a source's duplicates never tie
        {{ position_in('r.source', attribute_order) }} || '|' || r.record_key as attribute_key,
        {{ position_in('r.source', date_order) }} || '|' || r.record_key as date_key,
        row_number() over (partition by m.incident_key, r.source order by r.record_key) = 1
            as is_first_of_source,
        row_number() over (partition by m.incident_key, r.name order by r.record_key) = 1
            as is_first_of_name
    from {{ ref('int_hack_matches') }} as m
    inner join {{ ref('int_hack_records') }} as r
        on m.record_key = r.record_key

),

date_support as (

    select
        a.record_key,
        count(b.record_key) as n_agreeing
    from records as a
    left join records as b
        on a.incident_key = b.incident_key
        and a.record_key <> b.record_key
        and abs({{ date_diff_days('a.match_date', 'b.match_date') }}) <= 7
    group by a.record_key

),

agreeing as (

    select *
    from (
        select
            r.*,
            s.n_agreeing,
            max(s.n_agreeing) over (partition by r.incident_key) as max_agreeing
        from records as r
        inner join date_support as s
            on r.record_key = s.record_key
    ) as supported
    where n_agreeing = max_agreeing

),

dates as (

    select
        incident_key,
        min(incident_time_utc) filter (where source = 'blocksec') as incident_time_utc,
        {{ arg_min('match_date', "date_key") }} as source_date,
        {{ arg_min('source', "date_key") }} as date_source,
        bool_or(date_rule = 'year_corrected') as has_corrected_year
    from agreeing
    group by incident_key

),

incidents as (

    select
        incident_key,
        coalesce(
            {{ arg_min('canonical_name', "attribute_key") }} filter (
                where canonical_name is not null
            ),
            {{ arg_min('name', "attribute_key") }} filter (where nullif(trim(name), '') is not null)
        ) as name,
        {{ list_agg('name', 'attribute_precedence, record_key', where='is_first_of_name') }}
            as names,
        median(amount_usd) filter (where amount_usd > 0 and value_basis = 'at_incident')
            as amount_at_incident_usd,
        min(amount_usd) filter (where amount_usd > 0) as amount_min_usd,
        max(amount_usd) filter (where amount_usd > 0) as amount_max_usd,
        max(amount_usd) filter (where amount_usd > 0 and value_basis = 'later_valuation')
            as amount_later_valuation_usd,
        max(amount_usd) filter (where source = 'defillama') as amount_defillama_usd,
        max(amount_usd) filter (where source = 'slowmist') as amount_slowmist_usd,
        max(amount_usd) filter (where source = 'defi_rekt') as amount_defi_rekt_usd,
        max(amount_usd) filter (where source = 'blocksec') as amount_blocksec_usd,
        max(amount_usd) filter (where source = 'rekt_news') as amount_rekt_news_usd,
        min(match_date) as date_min,
        max(match_date) as date_max,
        {{ arg_min('chains', "attribute_key") }} filter (
            where {{ list_length('chains') }} > 0
        ) as chains,
        {{ arg_min('technique', "attribute_key") }} filter (where nullif(technique, '') is not null)
            as technique,
        {{ arg_min('classification', "attribute_key") }} filter (
            where nullif(classification, '') is not null
        ) as classification,
        {{ arg_min('target_type', "attribute_key") }} filter (
            where nullif(target_type, '') is not null
        ) as target_type,
        {{ arg_min('returned_usd', "returned_precedence || '|' || record_key") }} filter (
            where returned_usd is not null and returned_precedence > 0
        ) as returned_usd,
        count(distinct source) as n_sources,
        count(*) as n_records,
        {{ list_agg('source', 'attribute_precedence', where='is_first_of_source') }} as sources,
        {{ list_agg('record_key', 'attribute_precedence, record_key') }} as source_record_ids,
        max(tx_hashes) filter (where source = 'blocksec') as tx_hashes,
        {{ arg_min('source_url', "url_precedence || '|' || record_key") }} filter (
            where source_url is not null and url_precedence > 0
        ) as source_url
    from records
    group by incident_key

)

select
    cast({{ dbt.hash('i.incident_key') }} as {{ dbt.type_string() }}) as incident_id,
    i.*,
    d.incident_time_utc,
    coalesce(cast(d.incident_time_utc as date), d.source_date) as incident_date,
    case
        when d.incident_time_utc is not null then 'blocksec first attack transaction'
        else d.date_source || ' date'
    end
    || case when d.has_corrected_year then '; rekt.news year corrected' else '' end
    || case
        when {{ date_diff_days('i.date_min', 'i.date_max') }} > 7
            then '; sources range ' || cast(i.date_min as {{ dbt.type_string() }}) || '..'
            || cast(i.date_max as {{ dbt.type_string() }})
        else ''
    end as date_basis,
    c.incident_class,
    c.is_hack,
    c.class_basis,
    c.class_reason,
    c.class_override_url,
    case
        when c.incident_class = 'seizure_valuation_only' then 'later_valuation'
        when i.amount_at_incident_usd is not null then 'at_incident'
        when i.amount_later_valuation_usd is not null then 'later_valuation'
        else 'none'
    end as value_basis,
    case
        when c.incident_class <> 'seizure_valuation_only' then i.amount_at_incident_usd
    end as amount_usd
from incidents as i
inner join dates as d
    on i.incident_key = d.incident_key
inner join {{ ref('int_hack_incident_classes') }} as c
    on i.incident_key = c.incident_key

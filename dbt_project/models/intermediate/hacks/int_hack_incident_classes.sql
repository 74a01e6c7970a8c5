-- One incident class per hack incident: a reviewed override (seed hack_incident_overrides,
-- matched to the source record it names) wins; else the first class that is not a fallback in
-- source precedence defillama, defi_rekt, slowmist, rekt_news, blocksec; else the first
-- fallback class (rules: int_hack_record_classes). is_hack comes from seed
-- hack_incident_classes.
{% set date_order = ['defillama', 'defi_rekt', 'slowmist', 'rekt_news', 'blocksec'] %}
with records as (

    select
        m.incident_key,
        m.record_key,
        c.record_class,
        c.is_fallback,
        c.class_rule,
        -- non-fallback classes first, then source precedence, then the record (no ties)
        case when c.is_fallback then '1' else '0' end
        || {{ position_in('m.source', date_order) }}
        || '|' || m.record_key as class_key
    from {{ ref('int_hack_matches') }} as m
    inner join {{ ref('int_hack_record_classes') }} as c
        on m.record_key = c.record_key

),

by_rule as (

    select
        incident_key,
        {{ arg_min('record_class', 'class_key') }} as record_class,
        {{ arg_min('class_rule', 'class_key') }} as class_rule
    from records
    group by incident_key

),

overrides as (

    select
        m.incident_key,
        min(o.incident_class) as incident_class,
        count(distinct o.incident_class) as n_override_classes,
        min(o.reason) as reason,
        min(o.url) as url
    from {{ ref('hack_incident_overrides') }} as o
    inner join {{ ref('int_hack_records') }} as r
        on o.source = r.source
        and o.record_name = r.name
        and o.record_date = r.stated_date
    inner join {{ ref('int_hack_matches') }} as m
        on r.record_key = m.record_key
    group by m.incident_key

)

select
    b.incident_key,
    coalesce(o.incident_class, b.record_class) as incident_class,
    k.is_hack,
    case when o.incident_class is not null then 'override' else 'rule' end as class_basis,
    case
        when o.incident_class is not null then 'override: ' || o.reason
        else b.class_rule
    end as class_reason,
    o.url as class_override_url,
    coalesce(o.n_override_classes, 0) as n_override_classes
from by_rule as b
left join overrides as o
    on b.incident_key = o.incident_key
inner join {{ ref('hack_incident_classes') }} as k
    on coalesce(o.incident_class, b.record_class) = k.incident_class

-- The hack reconciliation, record by record: every source record with the incident it was put
-- in, its own name, dates, amount and class, why it was merged (link_type and merge_reason) and
-- the nearest record it was kept apart from, with the reason. Near = another incident's record
-- with the same match name or first word (4+ characters) within 31 days, or 362-368 days away.
with records as (

    select
        r.*,
        m.incident_key,
        m.group_key,
        m.link_type,
        m.linked_record_key,
        m.link_day_gap,
        c.record_class,
        c.class_rule
    from {{ ref('int_hack_records') }} as r
    inner join {{ ref('int_hack_matches') }} as m
        on r.record_key = m.record_key
    inner join {{ ref('int_hack_record_classes') }} as c
        on r.record_key = c.record_key

),

near as (

    select
        a.record_key,
        {{ sql_function('arg_min') }}(
            b.record_key || '|' || b.source || '|'
            || cast(b.match_date as {{ dbt.type_string() }}) || '|'
            || case
                when a.source = b.source
                    then 'same source and not a duplicate (duplicates need amounts within 5% '
                    || 'and dates at most 1 day apart)'
                when abs({{ date_diff_days('a.match_date', 'b.match_date') }}) > 31
                    then 'a year apart: a year-apart copy needs amounts within 10% and another '
                    || 'source agreeing with exactly one of the two dates'
                when a.match_name <> b.match_name
                    and abs({{ date_diff_days('a.match_date', 'b.match_date') }}) > 1
                    then 'names only similar and '
                    || abs({{ date_diff_days('a.match_date', 'b.match_date') }})
                    || ' days apart (limit 1)'
                when abs({{ date_diff_days('a.match_date', 'b.match_date') }}) > 3
                    then abs({{ date_diff_days('a.match_date', 'b.match_date') }})
                    || ' days apart (limit 3; 7 with amounts within 10%; 10 through an alias)'
                else 'not each other' || chr(39) || 's best match in that source'
            end,
            lpad(
                cast(
                    abs({{ date_diff_days('a.match_date', 'b.match_date') }})
                    as {{ dbt.type_string() }}
                ),
                4, '0'
            )
            || b.record_key
        ) as nearest
    from records as a
    inner join records as b
        on a.incident_key <> b.incident_key
        and (
            a.match_name = b.match_name
            or (length(a.match_first_token) >= 4 and a.match_first_token = b.match_first_token)
        )
        and (
            abs({{ date_diff_days('a.match_date', 'b.match_date') }}) <= 31
            or abs({{ date_diff_days('a.match_date', 'b.match_date') }}) between 362 and 368
        )
    group by a.record_key

)

select
    i.incident_id,
    cast(r.source as {{ dbt.type_string() }}) as source,
    cast(r.source_record_id as {{ dbt.type_string() }}) as source_record_id,
    cast(r.record_key as {{ dbt.type_string() }}) as record_key,
    i.name as incident_name,
    i.incident_date,
    i.incident_class,
    i.is_hack,
    cast(r.name as {{ dbt.type_string() }}) as record_name,
    cast(r.alias_name as {{ dbt.type_string() }}) as alias_name,
    r.stated_date,
    r.published_date,
    r.match_date,
    cast(r.date_rule as {{ dbt.type_string() }}) as date_rule,
    abs({{ date_diff_days('r.match_date', 'i.incident_date') }}) <= 7 as agrees_with_incident_date,
    cast(r.amount_usd as {{ type_double() }}) as amount_usd,
    cast(r.value_basis as {{ dbt.type_string() }}) as value_basis,
    coalesce(
        r.amount_usd > 0 and r.value_basis = 'at_incident' and i.value_basis = 'at_incident', false
    ) as is_in_incident_amount,
    cast(r.record_class as {{ dbt.type_string() }}) as record_class,
    cast(r.class_rule as {{ dbt.type_string() }}) as class_rule,
    cast(coalesce(r.link_type, 'only_record') as {{ dbt.type_string() }}) as link_type,
    cast(r.linked_record_key as {{ dbt.type_string() }}) as linked_record_key,
    cast(r.link_day_gap as integer) as link_day_gap,
    cast(
        case
            when r.link_type is null then 'the only record of its incident'
            when r.link_type = 'same_source_duplicate'
                then 'duplicate of ' || r.linked_record_key || ' in the same source'
            else replace(r.link_type, '_', ' ') || ' link to ' || r.linked_record_key || ' ('
                || cast(r.link_day_gap as {{ dbt.type_string() }}) || ' days apart'
                || coalesce(', alias ' || r.alias_name, '') || ')'
        end as {{ dbt.type_string() }}
    ) as merge_reason,
    cast(nullif(split_part(n.nearest, '|', 1), '') as {{ dbt.type_string() }}) as kept_apart_from,
    cast(nullif(split_part(n.nearest, '|', 4), '') as {{ dbt.type_string() }}) as kept_apart_reason
from records as r
inner join {{ ref('int_hack_incidents') }} as i
    on r.incident_key = i.incident_key
left join near as n
    on r.record_key = n.record_key

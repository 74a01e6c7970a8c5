-- Every row of the reviewed hack seeds with the number of source records it applies to, so a
-- dead row (a typo, or a record a source has since renamed or removed) fails the build:
--   hack_name_aliases        records renamed by the alias (int_hack_records.alias_name);
--                            checkable when all five hack sources are loaded;
--   hack_incident_overrides  records named by (source, record_name, record_date); checkable
--                            when the row's source is loaded (a subset catalog builds).
with loaded as (

    select distinct source from {{ ref('int_hack_records') }}

),

aliases as (

    select
        'hack_name_aliases' as seed,
        a.alias_name
        || coalesce(' @ ' || cast(a.around_date as {{ dbt.type_string() }}), '') as seed_row,
        count(r.record_key) as n_records,
        (select count(*) from loaded) = 5 as is_checkable
    from {{ ref('hack_name_aliases') }} as a
    left join {{ ref('int_hack_records') }} as r
        on a.alias_name = r.alias_name
        and r.match_name = {{ hack_normalised_name('a.canonical_name') }}
        and (
            a.around_date is null
            or abs({{ date_diff_days('a.around_date', 'r.match_date') }}) <= 31
        )
    group by a.alias_name, a.around_date

),

overrides as (

    select
        'hack_incident_overrides' as seed,
        o.source || ': ' || o.record_name || ' @ '
        || cast(o.record_date as {{ dbt.type_string() }}) as seed_row,
        count(r.record_key) as n_records,
        o.source in (select loaded.source from loaded) as is_checkable
    from {{ ref('hack_incident_overrides') }} as o
    left join {{ ref('int_hack_records') }} as r
        on o.source = r.source
        and o.record_name = r.name
        and o.record_date = r.stated_date
    group by o.source, o.record_name, o.record_date

)

select * from aliases
union all
select * from overrides

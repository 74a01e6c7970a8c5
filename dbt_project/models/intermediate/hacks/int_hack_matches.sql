-- Hack records clustered into incidents: one row per source record with the incident it belongs
-- to (incident_key) and how it got there.
--   1. record groups (int_hack_record_groups) are the units: a source's duplicates travel
--      together;
--   2. incidents are the connected components of the kept links of int_hack_match_pairs
--      (transitive closure by recursive CTE, label = smallest group_key reached);
--   3. guard: if a component still holds two groups of the SAME source (possible only through
--      transitivity), the group with the strongest best link (alias and same_name 2.0, else
--      name similarity; year_apart links count 0) stays and the others lose their links;
--      anything still conflicting becomes its own incident. So two records of one source share an
--      incident only when they are duplicates of each other.
{% set link_order = ['alias', 'same_name', 'similar_name', 'disclosure_lag', 'year_apart'] %}
with recursive

groups as (

    select distinct g.group_key, r.source
    from {{ ref('int_hack_record_groups') }} as g
    inner join {{ ref('int_hack_records') }} as r
        on g.group_key = r.record_key

),

pairs as (

    select
        *,
        case
            when link_type in ('alias', 'same_name') then 2.0
            when link_type = 'year_apart' then 0.0
            else name_score
        end as link_strength
    from {{ ref('int_hack_match_pairs') }}

),

edges as (

    select group_key_a as from_key, group_key_b as to_key from pairs
    union all
    select group_key_b as from_key, group_key_a as to_key from pairs

),

{{ reachability('reach_1', 'group_key', 'groups', 'edges') }},

best_link as (

    select group_key, max(link_strength) as best_strength
    from (
        select group_key_a as group_key, link_strength from pairs
        union all
        select group_key_b as group_key, link_strength from pairs
    ) as linked
    group by group_key

),

conflicts as (

    select
        c.group_key,
        row_number() over (
            partition by c.component_key, g.source
            order by coalesce(l.best_strength, -1) desc, c.group_key
        ) > 1 as is_detached
    from (
        select group_key, min(reached_key) as component_key from reach_1
        group by group_key
    ) as c
    inner join groups as g
        on c.group_key = g.group_key
    left join best_link as l
        on c.group_key = l.group_key

),

edges_2 as (

    select edges.from_key, edges.to_key
    from edges
    inner join conflicts as f
        on edges.from_key = f.group_key
    inner join conflicts as t
        on edges.to_key = t.group_key
    where not f.is_detached
        and not t.is_detached

),

{{ reachability('reach_2', 'group_key', 'groups', 'edges_2') }},

guarded as (

    select
        c.group_key,
        case
            when row_number() over (partition by c.component_key, g.source order by c.group_key) = 1
                then c.component_key
            else c.group_key
        end as incident_key
    from (
        select group_key, min(reached_key) as component_key from reach_2
        group by group_key
    ) as c
    inner join groups as g
        on c.group_key = g.group_key

),

links as (

    select group_key_a as group_key, group_key_b as linked_group_key, link_type, day_gap, name_score
    from pairs
    union all
    select group_key_b, group_key_a, link_type, day_gap, name_score
    from pairs

),

record_links as (

    -- the record's strongest link inside its own incident, to explain the merge: link type in
    -- the order of int_hack_match_pairs, then name similarity, then day gap
    select group_key, link_type, linked_group_key, day_gap
    from (
        select
            l.group_key,
            l.link_type,
            l.linked_group_key,
            l.day_gap,
            row_number() over (
                partition by l.group_key
                order by
                    {{ position_in('l.link_type', link_order) }},
                    l.name_score desc, l.day_gap, l.linked_group_key
            ) as link_rank
        from links as l
        inner join guarded as a
            on l.group_key = a.group_key
        inner join guarded as b
            on l.linked_group_key = b.group_key
        where a.incident_key = b.incident_key
    ) as ranked_links
    where link_rank = 1

)

select
    r.record_key,
    r.source,
    r.source_record_id,
    r.match_date as incident_date,
    r.name,
    r.normalised_name,
    g.group_key,
    gu.incident_key,
    count(*) over (partition by gu.incident_key) as n_records_in_incident,
    case
        when g.record_key <> g.group_key then 'same_source_duplicate' else rl.link_type
    end as link_type,
    case when g.record_key <> g.group_key then g.group_key else rl.linked_group_key end
        as linked_record_key,
    case when g.record_key <> g.group_key then 0 else rl.day_gap end as link_day_gap
from {{ ref('int_hack_records') }} as r
inner join {{ ref('int_hack_record_groups') }} as g
    on r.record_key = g.record_key
inner join guarded as gu
    on g.group_key = gu.group_key
left join record_links as rl
    on g.group_key = rl.group_key

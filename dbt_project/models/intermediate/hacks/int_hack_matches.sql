-- Cross-source matching of hack records into incidents: one row per source record with the
-- incident it belongs to (incident_key).
-- Rule (set-based, no loops):
--   1. candidate pairs: two records of DIFFERENT sources whose incident dates are at most
--      1 day apart (var hack_match_window_days; sources date by different time zones and by
--      disclosure vs. attack day) and whose normalised names (int_hack_source_records) are
--      non-empty and either equal, or jaro_winkler_similarity >= 0.90, or one contains the other and the shorter has at least
--      4 characters ('radiant' / 'radiantcapital'), or both names start with the same word of
--      at least 4 characters ('Ronin Bridge' / 'Ronin Network'). Records with EXACTLY equal
--      normalised names may be up to 3 days apart (var hack_match_exact_name_window_days:
--      'AlphaPo' 2023-07-23 in SlowMist, 2023-07-26 in DeFiLlama).
--   2. one-to-one per source pair: a pair is kept only when each record is the other's best
--      candidate in that source (exact name first, then similarity, then smaller day gap), so
--      a record never matches two records of one source.
--   3. clustering: connected components of the kept pairs (transitive closure by recursive CTE,
--      label = smallest record_key reached).
--   4. guard: if a component still holds two records of the SAME source (possible only through
--      transitivity), the record with the weaker best link stays and the others lose their
--      links; components are recomputed; anything still conflicting becomes its own incident.
--      So two records of one source are never merged into one incident.
{% set window_days = var('hack_match_window_days', 1) %}
{% set exact_window_days = var('hack_match_exact_name_window_days', 3) %}
with recursive

records as (

    select
        source || ':' || source_record_id as record_key,
        *
    from {{ ref('int_hack_source_records') }}

),

candidates as (

    select
        a.record_key as record_key_a,
        b.record_key as record_key_b,
        a.source as source_a,
        b.source as source_b,
        abs(date_diff('day', a.incident_date, b.incident_date)) as day_gap,
        a.normalised_name = b.normalised_name as is_exact_name,
        {{ name_similarity('a.normalised_name', 'b.normalised_name') }} as name_score
    from records as a
    inner join records as b
        on a.source < b.source
        and b.incident_date between a.incident_date - {{ exact_window_days }}
            and a.incident_date + {{ exact_window_days }}
    where length(a.normalised_name) > 0
        and length(b.normalised_name) > 0
        and (
            a.normalised_name = b.normalised_name
            or abs(date_diff('day', a.incident_date, b.incident_date)) <= {{ window_days }}
        )
        and (
            a.normalised_name = b.normalised_name
            or {{ name_similarity('a.normalised_name', 'b.normalised_name') }} >= 0.90
            or (
                least(length(a.normalised_name), length(b.normalised_name)) >= 4
                and (
                    contains(a.normalised_name, b.normalised_name)
                    or contains(b.normalised_name, a.normalised_name)
                )
            )
            or (
                length(a.first_name_token) >= 4
                and a.first_name_token = b.first_name_token
            )
        )

),

ranked as (

    select
        *,
        row_number() over (
            partition by record_key_a, source_b
            order by is_exact_name desc, name_score desc, day_gap, record_key_b
        ) as rank_for_a,
        row_number() over (
            partition by record_key_b, source_a
            order by is_exact_name desc, name_score desc, day_gap, record_key_a
        ) as rank_for_b
    from candidates

),

pairs as (

    select
        record_key_a,
        record_key_b,
        day_gap,
        is_exact_name,
        name_score
    from ranked
    where rank_for_a = 1
        and rank_for_b = 1

),

edges as (

    select record_key_a as from_key, record_key_b as to_key from pairs
    union all
    select record_key_b as from_key, record_key_a as to_key from pairs

),

reach_1 (record_key, reached_key) as (

    select record_key, record_key from records
    union
    select reach_1.record_key, edges.to_key
    from reach_1
    inner join edges
        on reach_1.reached_key = edges.from_key

),

components_1 as (

    select
        record_key,
        min(reached_key) as component_key
    from reach_1
    group by record_key

),

best_link as (

    select
        record_key,
        max(case when is_exact_name then 2.0 else name_score end) as best_score
    from (
        select record_key_a as record_key, is_exact_name, name_score from pairs
        union all
        select record_key_b as record_key, is_exact_name, name_score from pairs
    )
    group by record_key

),

conflicts_1 as (

    select
        c.record_key,
        row_number() over (
            partition by c.component_key, r.source
            order by coalesce(l.best_score, 0) desc, c.record_key
        ) > 1 as is_detached
    from components_1 as c
    inner join records as r
        on c.record_key = r.record_key
    left join best_link as l
        on c.record_key = l.record_key

),

edges_2 as (

    select edges.from_key, edges.to_key
    from edges
    inner join conflicts_1 as f
        on edges.from_key = f.record_key
    inner join conflicts_1 as t
        on edges.to_key = t.record_key
    where not f.is_detached
        and not t.is_detached

),

reach_2 (record_key, reached_key) as (

    select record_key, record_key from records
    union
    select reach_2.record_key, edges_2.to_key
    from reach_2
    inner join edges_2
        on reach_2.reached_key = edges_2.from_key

),

components_2 as (

    select
        reach_2.record_key,
        records.source,
        min(reach_2.reached_key) as component_key
    from reach_2
    inner join records
        on reach_2.record_key = records.record_key
    group by reach_2.record_key, records.source

),

guarded as (

    select
        record_key,
        case
            when row_number() over (
                partition by component_key, source order by record_key
            ) = 1 then component_key
            else record_key
        end as incident_key
    from components_2

),

final as (

    select
        r.record_key,
        r.source,
        r.source_record_id,
        r.incident_date,
        r.name,
        r.normalised_name,
        g.incident_key,
        count(*) over (partition by g.incident_key) as n_records_in_incident,
        l.best_score as best_name_score
    from records as r
    inner join guarded as g
        on r.record_key = g.record_key
    left join best_link as l
        on r.record_key = l.record_key

)

select * from final

-- One source reporting one incident twice: one row per record with the group it belongs to.
-- Two records of the SAME source are duplicates when their match dates are at most 1 day
-- apart, their match names (int_hack_records) are equal, Jaro-Winkler >= 0.90 or contain one
-- another (shorter >= 4 characters), and both state an amount within 5% of each other
-- (SlowMist's 'Rhea Lend' and 'Rhea Finance', $18.4m each on 2026-04-16). Records without an
-- amount are never merged this way: a protocol hit twice on one day (DeFiLlama's two Mirror
-- exploits of 2021-10-08, $90m and $2m) stays two incidents. group_key = the smallest
-- record_key of the connected duplicates; the groups are what int_hack_match_pairs matches.
with recursive

records as (

    select record_key, source, match_date, match_name, amount_usd
    from {{ ref('int_hack_records') }}

),

duplicates as (

    select
        a.record_key as record_key_a,
        b.record_key as record_key_b
    from records as a
    inner join records as b
        on a.source = b.source
        and a.record_key < b.record_key
        and b.match_date
        between {{ add_days('a.match_date', -1) }} and {{ add_days('a.match_date', 1) }}
    where length(a.match_name) > 0
        and length(b.match_name) > 0
        and a.amount_usd > 0
        and b.amount_usd > 0
        and greatest(a.amount_usd, b.amount_usd) <= 1.05 * least(a.amount_usd, b.amount_usd)
        and (
            a.match_name = b.match_name
            or {{ name_similarity('a.match_name', 'b.match_name') }} >= 0.90
            or (
                least(length(a.match_name), length(b.match_name)) >= 4
                and (contains(a.match_name, b.match_name) or contains(b.match_name, a.match_name))
            )
        )

),

edges as (

    select record_key_a as from_key, record_key_b as to_key from duplicates
    union all
    select record_key_b as from_key, record_key_a as to_key from duplicates

),

{{ reachability('reach', 'record_key', 'records', 'edges') }}

select
    record_key,
    min(reached_key) as group_key,
    count(*) > 1 as is_duplicate_group
from reach
group by record_key

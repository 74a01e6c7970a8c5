-- Kept cross-source links between record groups (int_hack_record_groups: a group is one record,
-- or a source's duplicates of it), one row per link with why it was made. Groups are compared
-- on their first record's match date, match name (alias applied) and amount (int_hack_records).
-- Link types, first that applies (gap = days between match dates):
--   alias           equal names after a seed alias renamed either side, gap <= 10
--                   (var hack_match_alias_window_days; LuBian 2020-12-28 / 2020-12-20);
--   same_name       equal normalised names, gap <= 3 (var hack_match_exact_name_window_days);
--   similar_name    Jaro-Winkler >= 0.90, one name containing the other (4+ characters) or the
--                   same first word (4+ characters), gap <= 1 (var hack_match_window_days);
--   disclosure_lag  equal names and amounts within 10%, gap <= 7: one source dates the attack,
--                   another its disclosure (Ronin 2022-03-23 / 2022-03-29);
--   year_apart      matching names, amounts within 10%, 362-368 days apart, where one side has
--                   another source within 3 days agreeing with it and the other side none: a
--                   copy whose year is wrong (DeFiLlama's DEUS Finance 2021-03-15 beside
--                   SlowMist's and De.Fi's 2022-03-15).
-- A link is kept only when each group is the other's best candidate in that source (link type in
-- the order above, then name similarity, then day gap, then the closer amount: DeFiLlama's two
-- Mirror records of 2021-10-08, $90m and $2m, pair the $90m one with De.Fi's $90m): a group
-- never links two groups of one source.
{% set window_days = var('hack_match_window_days') %}
{% set exact_window_days = var('hack_match_exact_name_window_days') %}
{% set alias_window_days = var('hack_match_alias_window_days') %}
{% set link_order = ['alias', 'same_name', 'similar_name', 'disclosure_lag', 'year_apart'] %}
with groups as (

    select
        g.group_key,
        r.source,
        r.match_date,
        r.match_name,
        r.match_first_token,
        r.amount_usd,
        r.alias_name is not null as is_aliased
    from {{ ref('int_hack_record_groups') }} as g
    inner join {{ ref('int_hack_records') }} as r
        on g.group_key = r.record_key
    where g.record_key = g.group_key  -- one row per group: its first record
        and length(r.match_name) > 0

),

compared as (

    select
        a.group_key as group_key_a,
        b.group_key as group_key_b,
        a.source as source_a,
        b.source as source_b,
        abs({{ date_diff_days('a.match_date', 'b.match_date') }}) as day_gap,
        a.match_name = b.match_name as is_exact_name,
        a.is_aliased or b.is_aliased as is_aliased,
        {{ name_similarity('a.match_name', 'b.match_name') }} as name_score,
        case
            when a.amount_usd > 0 and b.amount_usd > 0
                then greatest(a.amount_usd, b.amount_usd) / least(a.amount_usd, b.amount_usd)
        end as amount_ratio,
        a.match_name = b.match_name
        or {{ name_similarity('a.match_name', 'b.match_name') }} >= 0.90
        or (
            least(length(a.match_name), length(b.match_name)) >= 4
            and (contains(a.match_name, b.match_name) or contains(b.match_name, a.match_name))
        )
        or (length(a.match_first_token) >= 4 and a.match_first_token = b.match_first_token)
            as is_name_match
    from groups as a
    inner join groups as b
        on a.source < b.source
        and (
            abs({{ date_diff_days('a.match_date', 'b.match_date') }})
            <= greatest(7, {{ alias_window_days }})
            or abs({{ date_diff_days('a.match_date', 'b.match_date') }}) between 362 and 368
        )

),

near as (

    select
        *,
        case
            when is_exact_name and is_aliased and day_gap <= {{ alias_window_days }} then 'alias'
            when is_exact_name and day_gap <= {{ exact_window_days }} then 'same_name'
            when is_name_match and day_gap <= {{ window_days }} then 'similar_name'
            when is_exact_name and amount_ratio <= 1.10 and day_gap <= 7 then 'disclosure_lag'
        end as link_type
    from compared
    where is_name_match

),

support as (

    select group_key, count(*) as n_near_links
    from (
        select group_key_a as group_key from near
        where link_type is not null
        union all
        select group_key_b as group_key from near
        where link_type is not null
    ) as linked
    group by group_key

),

candidates as (

    select
        n.group_key_a,
        n.group_key_b,
        n.source_a,
        n.source_b,
        n.day_gap,
        n.name_score,
        n.amount_ratio,
        coalesce(
            n.link_type,
            case
                when n.day_gap between 362 and 368
                    and n.amount_ratio <= 1.10
                    and (coalesce(sa.n_near_links, 0) = 0) <> (coalesce(sb.n_near_links, 0) = 0)
                    then 'year_apart'
            end
        ) as link_type
    from near as n
    left join support as sa
        on n.group_key_a = sa.group_key
    left join support as sb
        on n.group_key_b = sb.group_key

),

ranked as (

    select
        *,
        row_number() over (
            partition by group_key_a, source_b
            order by
                {{ position_in('link_type', link_order) }},
                name_score desc, day_gap, coalesce(amount_ratio, 1e9), group_key_b
        ) as rank_for_a,
        row_number() over (
            partition by group_key_b, source_a
            order by
                {{ position_in('link_type', link_order) }},
                name_score desc, day_gap, coalesce(amount_ratio, 1e9), group_key_a
        ) as rank_for_b
    from candidates
    where link_type is not null

)

select
    group_key_a,
    group_key_b,
    source_a,
    source_b,
    link_type,
    day_gap,
    name_score,
    amount_ratio
from ranked
where rank_for_a = 1
    and rank_for_b = 1

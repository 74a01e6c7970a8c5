-- Source records prepared for matching: one row per record of int_hack_source_records with the
-- date it is matched on, the name it is matched under and the basis of its amount.
-- Date sanity (rekt.news, the only source with a publication date):
--   year_corrected  the article appeared 335-400 days after the stated date and the stated
--                   day one year later falls 0-35 days before publication: the year is a typo
--                   (Infini 2024-02-24, published 2025-02-24), match_date = stated + 1 year;
--   late_write_up   published more than 35 days after the (corrected) date: date kept
--                   (Zero To Lend, written "over ten months" after 2025-02-23);
--   as_stated       everything else (the other sources' dates are checked against each other
--                   when matching: int_hack_match_pairs, link 'year_apart').
-- Names: a record whose normalised name is an alias of seed hack_name_aliases (within 31 days
--   of its around_date, when set) is matched under the canonical name.
-- Value basis: 'later_valuation' for rekt.news amounts published more than
--   var hack_later_valuation_days (365) after the incident (rekt.news values the loss when it
--   writes: The One That Got Away, $14.85bn in 2025 for LuBian's 2020 theft), else 'at_incident'.
{% set later_days = var('hack_later_valuation_days') %}
with source_records as (

    select
        source || ':' || source_record_id as record_key,
        *
    from {{ ref('int_hack_source_records') }}

),

dated as (

    select
        *,
        case
            when published_date is null then incident_date
            when {{ date_diff_days('incident_date', 'published_date') }} between 335 and 400
                and {{ add_years('incident_date', 1) }}
                between {{ add_days('published_date', -35) }}
                and {{ add_days('published_date', 1) }}
                then {{ add_years('incident_date', 1) }}
            else incident_date
        end as match_date
    from source_records

),

aliases as (

    select
        {{ hack_normalised_name('alias_name') }} as alias_normalised,
        {{ hack_normalised_name('canonical_name') }} as canonical_normalised,
        {{ hack_name_cleaned('canonical_name') }} as canonical_cleaned,
        alias_name,
        canonical_name,
        around_date
    from {{ ref('hack_name_aliases') }}

),

named as (

    select
        d.*,
        a.alias_name,
        a.canonical_name,
        coalesce(a.canonical_normalised, d.normalised_name) as match_name,
        coalesce(
            {{ list_element(
                list_filter(regexp_split('a.canonical_cleaned', '[^a-z0-9]+'), "token -> token <> ''"), 1
            ) }},
            d.first_name_token
        ) as match_first_token
    from dated as d
    left join aliases as a
        on d.normalised_name = a.alias_normalised
        and (
            a.around_date is null
            or abs({{ date_diff_days('a.around_date', 'd.match_date') }}) <= 31
        )

)

select
    record_key,
    source,
    source_record_id,
    name,
    normalised_name,
    alias_name,
    canonical_name,
    match_name,
    match_first_token,
    incident_date as stated_date,
    published_date,
    match_date,
    case
        when match_date <> incident_date then 'year_corrected'
        when {{ date_diff_days('match_date', 'published_date') }} > 35 then 'late_write_up'
        else 'as_stated'
    end as date_rule,
    incident_time_utc,
    amount_usd,
    case
        when {{ date_diff_days('match_date', 'published_date') }} > {{ later_days }}
            then 'later_valuation'
        else 'at_incident'
    end as value_basis,
    chains,
    technique,
    classification,
    target_type,
    returned_usd,
    tx_hashes,
    source_url,
    tags,
    is_bridge_hack
from named

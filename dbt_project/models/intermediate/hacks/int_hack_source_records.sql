-- The five hack sources in one shape, one row per source record. Per-source mapping:
--   defillama: technique, classification, target_type, chains and returned_usd as published.
--   slowmist:  technique = attack_method; no chains (SlowMist has no chain column). Its frauds
--              (Scam, Ponzi, Rug Pull, Exit Scam) are kept and classed scam_rug_pull
--              (int_hack_record_classes), so they stay out of the hack totals but queryable.
--   defi_rekt: technique = scam_type, classification = scam_parent, target_type = category,
--              returned_usd = funds_returned_usd.
--   blocksec:  classification = root_cause, chains from EVM chain ids (common ids named, others
--              'chain_id:<n>'), returned_usd = rescued_usd, incident_time_utc = the earliest of
--              the incident instant and the first attack transaction (the only intraday source).
--   rekt_news: name = title without the ' - Rekt' suffix; amount is rekt.news's own valuation;
--              published_date (the article's date) and tags are kept for the date and class rules.
-- normalised_name: macro hack_normalised_name ('ByBit - Rekt' and 'Bybit' both give 'bybit').
-- first_name_token: the first word left after removing those words ('Ronin Bridge' and
-- 'Ronin Network' both give 'ronin').
with defillama as (

    select
        'defillama' as source,
        hack_id as source_record_id,
        incident_date,
        cast(null as {{ dbt.type_timestamp() }}) as incident_time_utc,
        name,
        amount_usd,
        chains,
        technique,
        classification,
        target_type,
        returned_usd,
        cast(null as {{ type_string_array() }}) as tx_hashes,
        nullif(source_url, '') as source_url,
        cast(null as date) as published_date,
        cast(null as {{ type_string_array() }}) as tags,
        is_bridge_hack
    from {{ ref('stg_hacks_defillama') }}

),

slowmist as (

    select
        'slowmist' as source,
        hack_id as source_record_id,
        incident_date,
        cast(null as {{ dbt.type_timestamp() }}) as incident_time_utc,
        name,
        loss_usd as amount_usd,
        cast(null as {{ type_string_array() }}) as chains,
        attack_method as technique,
        cast(null as {{ dbt.type_string() }}) as classification,
        cast(null as {{ dbt.type_string() }}) as target_type,
        cast(null as {{ type_double() }}) as returned_usd,
        cast(null as {{ type_string_array() }}) as tx_hashes,
        nullif(reference_url, '') as source_url,
        cast(null as date) as published_date,
        cast(null as {{ type_string_array() }}) as tags,
        cast(null as boolean) as is_bridge_hack
    from {{ ref('stg_hacks_slowmist') }}

),

defi_rekt as (

    select
        'defi_rekt' as source,
        rekt_id as source_record_id,
        incident_date,
        cast(null as {{ dbt.type_timestamp() }}) as incident_time_utc,
        name,
        {{ known_loss_usd('funds_lost_usd') }} as amount_usd,
        case when chain is not null then {{ sql_function('list_value') }}(chain) end as chains,
        scam_type as technique,
        scam_parent as classification,
        category as target_type,
        funds_returned_usd as returned_usd,
        cast(null as {{ type_string_array() }}) as tx_hashes,
        cast(null as {{ dbt.type_string() }}) as source_url,
        cast(null as date) as published_date,
        cast(null as {{ type_string_array() }}) as tags,
        cast(null as boolean) as is_bridge_hack
    from {{ ref('stg_hacks_defi_rekt') }}

),

blocksec_chains as (

    select
        incident_id,
        {{ list_agg(
            """            case chain_id
                when '1' then 'Ethereum'
                when '56' then 'BSC'
                when '42161' then 'Arbitrum'
                when '8453' then 'Base'
                when '10' then 'Optimism'
                when '137' then 'Polygon'
                when '43114' then 'Avalanche'
                when '250' then 'Fantom'
                when '146' then 'Sonic'
                when '80094' then 'Berachain'
                else 'chain_id:' || chain_id
            end
            """,
            'chain_position'
        ) }} as chains
    from (
        select
            incident_id,
            {{ unnest_with_position('chain_ids', 'chain_id', 'chain_position') }}
        from {{ ref('stg_hacks_blocksec') }}
    )
    group by incident_id

),

blocksec as (

    select
        'blocksec' as source,
        b.incident_id as source_record_id,
        cast(least(b.incident_time_utc, coalesce(b.first_tx_time_utc, b.incident_time_utc)) as date)
            as incident_date,
        least(b.incident_time_utc, coalesce(b.first_tx_time_utc, b.incident_time_utc))
            as incident_time_utc,
        b.project as name,
        {{ known_loss_usd('b.loss_usd') }} as amount_usd,
        c.chains,
        cast(null as {{ dbt.type_string() }}) as technique,
        b.root_cause as classification,
        cast(null as {{ dbt.type_string() }}) as target_type,
        b.rescued_usd as returned_usd,
        b.tx_hashes,
        nullif(b.media_url, '') as source_url,
        cast(null as date) as published_date,
        cast(null as {{ type_string_array() }}) as tags,
        cast(null as boolean) as is_bridge_hack
    from {{ ref('stg_hacks_blocksec') }} as b
    left join blocksec_chains as c
        on b.incident_id = c.incident_id

),

rekt_news as (

    select
        'rekt_news' as source,
        slug as source_record_id,
        incident_date,
        cast(null as {{ dbt.type_timestamp() }}) as incident_time_utc,
        trim({{ regexp_replace_all(
            'title', '\\s*-\\s*rekt(\\s+\\w+)?\\s*$', '', case_insensitive=true
        ) }}) as name,
        {{ known_loss_usd('amount_usd') }} as amount_usd,
        cast(null as {{ type_string_array() }}) as chains,
        cast(null as {{ dbt.type_string() }}) as technique,
        cast(null as {{ dbt.type_string() }}) as classification,
        cast(null as {{ dbt.type_string() }}) as target_type,
        cast(null as {{ type_double() }}) as returned_usd,
        cast(null as {{ type_string_array() }}) as tx_hashes,
        'https://rekt.news/' || slug as source_url,
        published_date,
        tags,
        cast(null as boolean) as is_bridge_hack
    from {{ ref('stg_hacks_rekt_news') }}

),

unioned as (

    select * from defillama
    union all
    select * from slowmist
    union all
    select * from defi_rekt
    union all
    select * from blocksec
    union all
    select * from rekt_news

),

cleaned as (

    select
        *,
        {{ hack_name_cleaned('name') }} as cleaned_name
    from unioned
    where incident_date is not null

),

normalised as (

    select
        source,
        source_record_id,
        incident_date,
        incident_time_utc,
        name,
        {{ hack_normalised_name('name') }} as normalised_name,
        {{ list_element(
            list_filter(regexp_split('cleaned_name', '[^a-z0-9]+'), "token -> token <> ''"), 1
        ) }} as first_name_token,
        amount_usd,
        chains,
        technique,
        classification,
        target_type,
        returned_usd,
        tx_hashes,
        source_url,
        published_date,
        tags,
        is_bridge_hack
    from cleaned

)

select * from normalised

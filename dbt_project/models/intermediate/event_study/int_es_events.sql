-- Every event: the curated catalogue plus hack incidents >= var hack_event_min_usd (default
-- env HACK_EVENT_MIN_USD or 100M USD) from DeFiLlama, timed by BlockSec's first attack
-- transaction when BlockSec has the incident (same project, +-1 day), else 00:00 UTC of the
-- DeFiLlama date. A hack already in the catalogue (a curated hack within +-1 day) is not repeated.
{% set min_usd = var('hack_event_min_usd', env_var('HACK_EVENT_MIN_USD', '100000000')) %}
with curated as (

    select
        event_id, event_name, event_type, event_time_utc, has_time, asset_id, amount_usd,
        source_url, notes, 'catalogue' as event_source
    from {{ ref('stg_es_events') }}

),

llama as (

    select
        name,
        incident_date,
        amount_usd,
        source_url,
        regexp_extract(lower(name), '^[a-z0-9]+') as name_key,
        row_number() over (
            partition by lower(name), incident_date order by amount_usd desc, source_id
        ) as row_num
    from {{ ref('stg_hacks_defillama') }}
    where amount_usd >= cast({{ min_usd }} as double)

),

blocksec as (

    select
        lower(project) as project_key,
        coalesce(first_tx_time_utc, incident_time_utc) as attack_time_utc,
        incident_date,
        media_url
    from {{ ref('stg_hacks_blocksec') }}
    where coalesce(first_tx_time_utc, incident_time_utc) is not null

),

matched as (

    select
        llama.*,
        blocksec.attack_time_utc,
        blocksec.media_url,
        row_number() over (
            partition by llama.name, llama.incident_date
            order by abs(date_diff('day', llama.incident_date, blocksec.incident_date)),
                blocksec.attack_time_utc
        ) as match_num
    from llama
    left join blocksec
        on abs(date_diff('day', llama.incident_date, blocksec.incident_date)) <= 1
        and (
            starts_with(blocksec.project_key, llama.name_key)
            or starts_with(lower(llama.name), blocksec.project_key)
            or jaro_winkler_similarity(lower(llama.name), blocksec.project_key) >= 0.9
        )
    where llama.row_num = 1

),

hacks as (

    select
        'hack_' || trim(regexp_replace(lower(name), '[^a-z0-9]+', '_', 'g'), '_')
            || '_' || strftime(incident_date, '%Y%m%d') as event_id,
        name || ' hack' as event_name,
        'hack' as event_type,
        coalesce(attack_time_utc, cast(incident_date as timestamp)) as event_time_utc,
        attack_time_utc is not null as has_time,
        cast(null as varchar) as asset_id,
        amount_usd,
        coalesce(media_url, source_url, 'https://defillama.com/hacks') as source_url,
        case when attack_time_utc is not null
            then 'From hack data (DeFiLlama amount, BlockSec first attack transaction time).'
            else 'From hack data (DeFiLlama; no BlockSec time: 00:00 UTC of the day).'
        end as notes,
        'hack_data' as event_source
    from matched
    where match_num = 1
        and not exists (
            select 1 from curated
            where curated.event_type = 'hack'
                and abs(date_diff('day', cast(curated.event_time_utc as date), matched.incident_date)) <= 1
        )

)

select *, cast(event_time_utc as date) as event_date from curated
union all
select *, cast(event_time_utc as date) as event_date from hacks

-- Every event: the curated catalogue plus reconciled hack incidents (int_hack_incidents) that
-- are hacks (is_hack: exploits of protocols, exchanges, bridges, custodians - not phishing of
-- individuals, scams, depegs or valuations) with a loss at the time (amount_usd) >= var
-- hack_event_min_usd (dbt_project.yml vars: env HACK_EVENT_MIN_USD, else 100M USD), one event
-- per incident
-- (aliases, duplicates and year-off copies are merged upstream), timed by BlockSec's first
-- attack transaction when BlockSec has the incident, else 00:00 UTC of the incident date. A
-- hack already in the catalogue (a curated hack within +-1 day) is not repeated.
{% set min_usd = var('hack_event_min_usd') %}
{% set curated_date = 'cast(curated.event_time_utc as date)' %}
with curated as (

    select
        event_id, event_name, event_type, event_time_utc, has_time, asset_id, amount_usd,
        source_url, notes, 'catalogue' as event_source
    from {{ ref('stg_es_events') }}

),

incidents as (

    select *
    from {{ ref('int_hack_incidents') }}
    where is_hack
        and amount_usd >= cast({{ min_usd }} as double)

),

hacks as (

    select
        'hack_' || {{ trim_chars(regexp_replace_all('lower(name)', '[^a-z0-9]+', '_'), "'_'") }}
        || '_' || {{ format_date('incident_date', '%Y%m%d') }} as event_id,
        name || ' hack' as event_name,
        'hack' as event_type,
        coalesce(incident_time_utc, cast(incident_date as timestamp)) as event_time_utc,
        incident_time_utc is not null as has_time,
        cast(null as {{ dbt.type_string() }}) as asset_id,
        amount_usd,
        coalesce(source_url, 'https://defillama.com/hacks') as source_url,
        'Reconciled hack incident ' || incident_id || ' (' || incident_class || ', ' || n_sources
        || {{ sql_text(" sources; amount = median of the sources' losses at the time; ") }}
        || case
            when incident_time_utc is not null then 'time = BlockSec first attack transaction).'
            else 'no BlockSec time: 00:00 UTC of the day).'
        end as notes,
        'hack_data' as event_source
    from incidents
    where
        not exists (
            select 1 from curated
            where curated.event_type = 'hack'
                and abs({{ date_diff_days(curated_date, 'incidents.incident_date') }}) <= 1
        )

)

select *, cast(event_time_utc as date) as event_date from curated
union all
select *, cast(event_time_utc as date) as event_date from hacks

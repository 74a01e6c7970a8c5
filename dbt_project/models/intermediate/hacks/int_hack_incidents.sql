-- One row per real-world hack incident, reconciled across the five hack sources; read by the
-- mart fct_hack_incident and by int_es_events (large incidents become events)
-- (matching rule: int_hack_matches). Column rules:
--   incident_time_utc: BlockSec's earliest attack instant (null when BlockSec lacks the incident).
--   incident_date: the UTC day of incident_time_utc when BlockSec has it, else the date of the
--       first source in precedence defillama, defi_rekt, slowmist, rekt_news.
--   name, chains, technique, classification, target_type: first non-null value in precedence
--       defillama, blocksec, defi_rekt, slowmist, rekt_news (DeFiLlama is the primary table).
--   amount_usd: MEDIAN of the sources' positive amounts (one source: its amount; two: their
--       mean). Robust to one source's outlier (rekt.news values some losses long after the
--       incident, DeFiLlama and SlowMist round). Each source's own amount is kept.
--   returned_usd: precedence defi_rekt (funds_returned), blocksec (rescued), defillama
--       (returned funds), because DeFiLlama's returned_usd counts reserve refills as returned
--       (Bybit: 1.4e9 while the attacker returned nothing).
--   source_url: first link in precedence blocksec, rekt_news, defillama, slowmist.
with records as (

    select
        m.incident_key,
        r.*,
        case r.source
            when 'defillama' then 1
            when 'blocksec' then 2
            when 'defi_rekt' then 3
            when 'slowmist' then 4
            when 'rekt_news' then 5
        end as attribute_precedence,
        case r.source
            when 'blocksec' then 1
            when 'defillama' then 2
            when 'defi_rekt' then 3
            when 'slowmist' then 4
            when 'rekt_news' then 5
        end as date_precedence,
        case r.source
            when 'defi_rekt' then 1
            when 'blocksec' then 2
            when 'defillama' then 3
        end as returned_precedence,
        case r.source
            when 'blocksec' then 1
            when 'rekt_news' then 2
            when 'defillama' then 3
            when 'slowmist' then 4
        end as url_precedence
    from {{ ref('int_hack_matches') }} as m
    inner join {{ ref('int_hack_source_records') }} as r
        on m.source = r.source
        and m.source_record_id = r.source_record_id

),

incidents as (

    select
        incident_key,
        min(incident_time_utc) filter (where source = 'blocksec') as incident_time_utc,
        arg_min(incident_date, date_precedence) as incident_date,
        arg_min(name, attribute_precedence) filter (where nullif(trim(name), '') is not null)
            as name,
        median(amount_usd) filter (where amount_usd > 0) as amount_usd,
        max(amount_usd) filter (where source = 'defillama') as amount_defillama_usd,
        max(amount_usd) filter (where source = 'slowmist') as amount_slowmist_usd,
        max(amount_usd) filter (where source = 'defi_rekt') as amount_defi_rekt_usd,
        max(amount_usd) filter (where source = 'blocksec') as amount_blocksec_usd,
        max(amount_usd) filter (where source = 'rekt_news') as amount_rekt_news_usd,
        arg_min(chains, attribute_precedence) filter (where len(chains) > 0) as chains,
        arg_min(technique, attribute_precedence) filter (where nullif(technique, '') is not null)
            as technique,
        arg_min(classification, attribute_precedence)
            filter (where nullif(classification, '') is not null) as classification,
        arg_min(target_type, attribute_precedence)
            filter (where nullif(target_type, '') is not null) as target_type,
        arg_min(returned_usd, returned_precedence) filter (where returned_usd is not null)
            as returned_usd,
        count(*) as n_sources,
        list(source order by attribute_precedence) as sources,
        list(source || ':' || source_record_id order by attribute_precedence) as source_record_ids,
        max(tx_hashes) filter (where source = 'blocksec') as tx_hashes,
        arg_min(source_url, url_precedence) filter (where source_url is not null) as source_url
    from records
    group by incident_key

),

final as (

    select
        cast({{ dbt.hash('incident_key') }} as {{ dbt.type_string() }}) as incident_id,
        cast(coalesce(cast(incident_time_utc as date), incident_date) as date) as incident_date,
        cast(incident_time_utc as {{ dbt.type_timestamp() }}) as incident_time_utc,
        cast(name as {{ dbt.type_string() }}) as name,
        cast(amount_usd as {{ type_double() }}) as amount_usd,
        cast(amount_defillama_usd as {{ type_double() }}) as amount_defillama_usd,
        cast(amount_slowmist_usd as {{ type_double() }}) as amount_slowmist_usd,
        cast(amount_defi_rekt_usd as {{ type_double() }}) as amount_defi_rekt_usd,
        cast(amount_blocksec_usd as {{ type_double() }}) as amount_blocksec_usd,
        cast(amount_rekt_news_usd as {{ type_double() }}) as amount_rekt_news_usd,
        cast(chains as varchar[]) as chains,
        cast(technique as {{ dbt.type_string() }}) as technique,
        cast(classification as {{ dbt.type_string() }}) as classification,
        cast(target_type as {{ dbt.type_string() }}) as target_type,
        cast(returned_usd as {{ type_double() }}) as returned_usd,
        cast(n_sources as integer) as n_sources,
        cast(sources as varchar[]) as sources,
        cast(source_record_ids as varchar[]) as source_record_ids,
        cast(tx_hashes as varchar[]) as tx_hashes,
        cast(source_url as {{ dbt.type_string() }}) as source_url
    from incidents

)

select * from final

-- The incident class each source record suggests, from the source's own categories (first
-- matching rule wins; classes in seed hack_incident_classes). is_fallback marks a class given
-- only because no category said otherwise: an incident takes the first non-fallback class in
-- source precedence defillama, defi_rekt, slowmist, rekt_news, blocksec, and a fallback class
-- only when no record has another (int_hack_incident_classes).
--   defillama  classification Rugpull -> scam_rug_pull; bridgeHack -> bridge_hack; targetType
--              CEX, or Wallet/Other with classification Infrastructure (custody keys, mining
--              pools, market makers) -> exchange_custody_hack; else protocol_exploit.
--   defi_rekt  (exploits only) scam_type Phishing on category Other/Token, i.e. no protocol ->
--              individual_theft; category Bridge -> bridge_hack; CeFi -> exchange_custody_hack;
--              else protocol_exploit (a fallback when the category is Other or missing).
--   slowmist   attack_method Scam/Ponzi/Rug Pull/Exit Scam -> scam_rug_pull; de-anchor ->
--              depeg_market_collapse; DDoS/DoS/downtime -> service_disruption; phishing, SIM
--              swap, hijacked accounts -> individual_theft; else fallback protocol_exploit.
--   rekt_news  tags Rugpull -> scam_rug_pull; CEX -> exchange_custody_hack; Bridge ->
--              bridge_hack; else fallback protocol_exploit.
--   any source without categories (slowmist, blocksec, rekt_news): 'bridge' in the name ->
--              bridge_hack; blocksec otherwise fallback protocol_exploit.
{#- SlowMist attack methods (regular expressions, as SQL literals) -#}
{% set service_disruption = "'^(d?dos attack|downtime|network interruption|spam attacks)$'" %}
{% set individual_theft = "'phishing|sim +card|account compromis|account hacked|hacked account'"
    ~ " || '|(discord|telegram|x account|youtube|apple id) was hacked'"
    ~ " || '|social engineering (scam|attack)'" %}
with records as (

    select
        record_key,
        source,
        name,
        lower(coalesce(technique, '')) as technique,
        coalesce(classification, '') as classification,
        coalesce(target_type, '') as target_type,
        coalesce(is_bridge_hack, false) as is_bridge_hack,
        lower(coalesce({{ list_join('tags', '|') }}, '')) as tags,
        {{ regexp_contains("lower(coalesce(name, ''))", "'\\bbridge\\b'") }} as has_bridge_name
    from {{ ref('int_hack_records') }}

),

classified as (

    select
        record_key,
        source,
        case
            when source = 'defillama'
                then
                case
                    when classification = 'Rugpull' then 'scam_rug_pull|classification Rugpull'
                    when is_bridge_hack then 'bridge_hack|bridgeHack true'
                    when target_type = 'CEX' then 'exchange_custody_hack|targetType CEX'
                    when target_type in ('Wallet', 'Other') and classification = 'Infrastructure'
                        then 'exchange_custody_hack|targetType ' || target_type
                        || ' with classification Infrastructure'
                    else 'protocol_exploit|targetType ' || coalesce(nullif(target_type, ''), 'none')
                end
            when source = 'defi_rekt'
                then
                case
                    when technique = 'phishing' and target_type in ('Other', 'Token', '')
                        then 'individual_theft|Phishing on category ' || target_type
                    when target_type like '%Bridge%' then 'bridge_hack|category ' || target_type
                    when target_type like '%CeFi%'
                        then 'exchange_custody_hack|category ' || target_type
                    when target_type in ('Other', '') then 'protocol_exploit*|category Other'
                    else 'protocol_exploit|category ' || target_type
                end
            when source = 'slowmist'
                then
                case
                    when {{ regexp_contains("technique", "'^(scam|ponzi|rug ?pull|exit scam)$'") }}
                        then 'scam_rug_pull|attack_method ' || technique
                    when {{ regexp_contains("technique", "'de-?anchor|depeg'") }}
                        then 'depeg_market_collapse|attack_method ' || technique
                    when {{ regexp_contains("technique", service_disruption) }}
                        then 'service_disruption|attack_method ' || technique
                    when {{ regexp_contains("technique", individual_theft) }}
                        then 'individual_theft|attack_method ' || technique
                    when has_bridge_name then 'bridge_hack|bridge in the name'
                    else 'protocol_exploit*|attack_method '
                        || coalesce(nullif(technique, ''), 'none')
                end
            when source = 'rekt_news'
                then
                case
                    when {{ regexp_contains("tags", "'(^|\\|)(rug ?pull|exit scam)(\\||$)'") }}
                        then 'scam_rug_pull|tag Rugpull'
                    when {{ regexp_contains("tags", "'(^|\\|)cex(\\||$)'") }}
                        then 'exchange_custody_hack|tag CEX'
                    when {{ regexp_contains("tags", "'(^|\\|)bridge(\\||$)'") }} or has_bridge_name
                        then 'bridge_hack|tag or name Bridge'
                    else 'protocol_exploit*|no class tag'
                end
            when has_bridge_name then 'bridge_hack|bridge in the name'
            else 'protocol_exploit*|on-chain incident library'
        end as verdict
    from records

)

select
    record_key,
    source,
    {{ rtrim_chars("split_part(verdict, '|', 1)", "'*'") }} as record_class,
    split_part(verdict, '|', 1) like '%*' as is_fallback,
    source || ': ' || split_part(verdict, '|', 2) as class_rule
from classified

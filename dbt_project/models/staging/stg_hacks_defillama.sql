-- DeFiLlama /hacks records: typed and deduplicated. hack_id is a hash of the loader's key
-- (name, incident_date, amount_usd). Amounts are USD as DeFiLlama states them; note that its
-- returned_usd for Bybit (1.4e9) is a DeFiLlama artifact (reserves refilled, not returned).
with deduplicated as (

    {{ latest_source_rows('hacks_defillama') }}

),

renamed as (

    select
        {{ dbt.hash(dbt.concat([
            "coalesce(cast(source_id as " ~ dbt.type_string() ~ "), '')",
            "'|'",
            "coalesce(trim(name), '')",
            "'|'",
            "coalesce(cast(incident_date as " ~ dbt.type_string() ~ "), '')",
            "'|'",
            "coalesce(" ~ double_to_text("amount_usd") ~ ", '')",
        ])) }} as hack_id,
        cast(source_id as {{ dbt.type_string() }}) as source_id,
        cast(incident_date as date) as incident_date,
        trim(name) as name,
        cast(classification as {{ dbt.type_string() }}) as classification,
        cast(technique as {{ dbt.type_string() }}) as technique,
        cast(amount_usd as {{ type_double() }}) as amount_usd,
        cast(returned_usd as {{ type_double() }}) as returned_usd,
        chains,
        cast(bridge_hack as boolean) as is_bridge_hack,
        cast(target_type as {{ dbt.type_string() }}) as target_type,
        cast(source_url as {{ dbt.type_string() }}) as source_url,
        cast(defillama_id as {{ dbt.type_string() }}) as defillama_id,
        cast(language as {{ dbt.type_string() }}) as language,
        cast(parent_protocol_id as {{ dbt.type_string() }}) as parent_protocol_id,
        {{ staged_lineage_columns() }}
    from deduplicated

)

select * from renamed

-- De.Fi REKT database, EXPLOITS ONLY. The raw table holds every De.Fi record (honeypots, rug
-- pulls, token scams, ...; 925 of 4,023 rows undated). Rule: keep a record when its
-- scam_parent starts with 'Exploit/' (De.Fi's hack/exploit family) AND it has an incident date.
-- Everything else stays in raw.hacks_defi_rekt.
with deduplicated as (

    {{ latest_source_rows('hacks_defi_rekt') }}

),

exploits as (

    select *
    from deduplicated
    where scam_parent like 'Exploit/%'
        and incident_date is not null

),

renamed as (

    select
        cast(rekt_id as {{ dbt.type_string() }}) as rekt_id,
        cast(source_id as {{ dbt.type_string() }}) as source_id,
        cast(incident_date as date) as incident_date,
        trim(name) as name,
        cast(category as {{ dbt.type_string() }}) as category,
        nullif(trim(chain), '') as chain,
        cast(funds_lost_usd as {{ type_double() }}) as funds_lost_usd,
        cast(funds_recovered_usd as {{ type_double() }}) as funds_recovered_usd,
        cast(funds_returned_usd as {{ type_double() }}) as funds_returned_usd,
        cast(scam_type as {{ dbt.type_string() }}) as scam_type,
        cast(scam_parent as {{ dbt.type_string() }}) as scam_parent,
        {{ staged_lineage_columns() }}
    from exploits

)

select * from renamed

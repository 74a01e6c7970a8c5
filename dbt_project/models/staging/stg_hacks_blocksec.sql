-- BlockSec Security Incidents Library: typed and deduplicated. Instants are naive
-- TIMESTAMPs holding UTC (the raw columns come from unix milliseconds); incident_date is
-- the UTC day of the incident instant.
with deduplicated as (

    {{ latest_source_rows('hacks_blocksec') }}

),

renamed as (

    select
        cast(incident_id as {{ dbt.type_string() }}) as incident_id,
        cast(source_id as {{ dbt.type_string() }}) as source_id,
        trim(project) as project,
        cast(incident_time_utc as {{ dbt.type_timestamp() }}) as incident_time_utc,
        cast(incident_time_utc as date) as incident_date,
        cast(first_tx_time_utc as {{ dbt.type_timestamp() }}) as first_tx_time_utc,
        cast(loss_usd as {{ type_double() }}) as loss_usd,
        cast(rescued_usd as {{ type_double() }}) as rescued_usd,
        chain_ids,
        cast(root_cause as {{ dbt.type_string() }}) as root_cause,
        cast(media_url as {{ dbt.type_string() }}) as media_url,
        tx_hashes,
        {{ staged_lineage_columns() }}
    from deduplicated

)

select * from renamed

-- BlockSec Security Incidents Library: typed and deduplicated. Instants are naive
-- TIMESTAMPs holding UTC (the raw columns come from unix milliseconds); incident_date is
-- the UTC day of the incident instant.
with source as (

    select * from {{ source('raw', 'hacks_blocksec') }}

),

deduplicated as (

    select
        *,
        row_number() over (
            partition by source_id, incident_id
            order by loaded_at desc, source_line
        ) as row_num
    from source

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
        cast(origin as {{ dbt.type_string() }}) as origin,
        cast(payload_sha256 as {{ dbt.type_string() }}) as payload_sha256,
        cast(source_line as integer) as source_line,
        {{ to_utc_timestamp('loaded_at') }} as loaded_at_utc
    from deduplicated
    where row_num = 1

)

select * from renamed

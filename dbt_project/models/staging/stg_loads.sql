-- Load log: one row per attempt to load a source (loaded or failed).
with source as (

    select * from {{ source('raw', 'loads') }}

),

renamed as (

    select
        cast(source_id as {{ dbt.type_string() }}) as source_id,
        cast(series_id as {{ dbt.type_string() }}) as series_id,
        cast(dataset as {{ dbt.type_string() }}) as dataset,
        cast(origins as {{ dbt.type_string() }}) as origins,
        cast(payload_sha256 as {{ dbt.type_string() }}) as payload_sha256,
        {{ to_utc_timestamp('loaded_at') }} as loaded_at_utc,
        cast(rows_loaded as bigint) as rows_loaded,
        cast(rows_rejected as bigint) as rows_rejected,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(message as {{ dbt.type_string() }}) as message,
        row_number() over (
            partition by source_id
            order by loaded_at desc
        ) = 1 as is_latest_attempt
    from source

)

select * from renamed

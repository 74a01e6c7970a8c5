-- Archive log of every payload read (landing file or HTTP response), one row per
-- (payload_sha256, source_id): the content hash ties raw rows back to verbatim bytes.
with source as (

    select * from {{ source('raw', 'payloads') }}

),

deduplicated as (

    select
        *,
        row_number() over (
            partition by payload_sha256, source_id
            order by received_at desc
        ) as row_num
    from source

),

renamed as (

    select
        cast(payload_sha256 as {{ dbt.type_string() }}) as payload_sha256,
        cast(source_id as {{ dbt.type_string() }}) as source_id,
        cast(origin as {{ dbt.type_string() }}) as origin,
        {{ to_utc_timestamp('received_at') }} as received_at_utc,
        cast(size_bytes as bigint) as size_bytes,
        cast(archive_path as {{ dbt.type_string() }}) as archive_path
    from deduplicated
    where row_num = 1

)

select * from renamed

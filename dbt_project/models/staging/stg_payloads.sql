-- Archive log of every payload read (landing file or HTTP response), one row per
-- (payload_sha256, source_id): the content hash ties raw rows back to verbatim bytes.
with deduplicated as (

    {{ latest_rows(
        source('raw', 'payloads'),
        partition_by=['payload_sha256', 'source_id'],
        order_by='received_at desc',
        columns=source_columns('payloads'),
    ) }}

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

)

select * from renamed

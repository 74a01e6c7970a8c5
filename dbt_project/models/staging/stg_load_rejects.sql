-- Rows refused by a parser or by the loader's row rules (raw.rejects), with the reason.
-- raw.rejects holds only the rejects of each source's latest load (a reload replaces them).
with source as (

    select * from {{ source('raw', 'rejects') }}

),

renamed as (

    select
        cast(dataset as {{ dbt.type_string() }}) as dataset,
        cast(source_id as {{ dbt.type_string() }}) as source_id,
        cast(series_id as {{ dbt.type_string() }}) as series_id,
        cast(origin as {{ dbt.type_string() }}) as origin,
        cast(payload_sha256 as {{ dbt.type_string() }}) as payload_sha256,
        cast(line as integer) as source_line,
        cast(column_name as {{ dbt.type_string() }}) as column_name,
        cast(reason as {{ dbt.type_string() }}) as reason,
        cast(raw_value as {{ dbt.type_string() }}) as raw_value,
        {{ to_utc_timestamp('loaded_at') }} as loaded_at_utc
    from source

)

select * from renamed

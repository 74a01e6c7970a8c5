-- Every source (landing file or live feed) of every catalog series, with its precedence
-- (1 = preferred), whether it is primary, and whether its quotes must be inverted (1/x).
with source as (

    select * from {{ source('raw', 'series_sources') }}

),

renamed as (

    select
        cast(source_id as {{ dbt.type_string() }}) as source_id,
        cast(series_id as {{ dbt.type_string() }}) as series_id,
        cast(kind as {{ dbt.type_string() }}) as source_kind,
        cast(landing_path as {{ dbt.type_string() }}) as landing_path,
        cast(format as {{ dbt.type_string() }}) as source_format,
        cast(dataset as {{ dbt.type_string() }}) as dataset,
        cast(is_primary as boolean) as is_primary,
        cast(precedence as integer) as precedence,
        coalesce(cast(invert as boolean), false) as invert,
        {{ to_utc_timestamp('loaded_at') }} as loaded_at_utc
    from source

)

select * from renamed

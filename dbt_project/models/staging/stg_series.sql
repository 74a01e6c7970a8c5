-- The catalog of series (catalog/series.yml as loaded by the last ingest run), typed.
with source as (

    select * from {{ source('raw', 'series') }}

),

renamed as (

    select
        cast(series_id as {{ dbt.type_string() }}) as series_id,
        cast(name as {{ dbt.type_string() }}) as series_name,
        cast(asset_class as {{ dbt.type_string() }}) as asset_class,
        cast(calendar as {{ dbt.type_string() }}) as calendar,
        cast(currency as {{ dbt.type_string() }}) as currency,
        cast(quote_convention as {{ dbt.type_string() }}) as quote_convention,
        cast(unit as {{ dbt.type_string() }}) as unit,
        cast(benchmark_series_id as {{ dbt.type_string() }}) as benchmark_series_id,
        cast(description as {{ dbt.type_string() }}) as description,
        cast(live_source as {{ dbt.type_string() }}) as live_source,
        asset_class not in ('flow', 'hack', 'calendar') as is_price_series,
        cast(catalog_path as {{ dbt.type_string() }}) as catalog_path,
        {{ to_utc_timestamp('loaded_at') }} as loaded_at_utc
    from source

)

select * from renamed

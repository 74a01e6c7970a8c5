-- Daily bars, one row per (source_id, bar_date): typed and deduplicated (latest load wins),
-- values as the source publishes them (its quote convention). int_daily_bars turns inverted FX
-- sources round and marks sessions.
with deduplicated as (

    {{ latest_source_rows('daily_bars') }}

),

typed as (

    select
        cast(source_id as {{ dbt.type_string() }}) as source_id,
        cast(series_id as {{ dbt.type_string() }}) as series_id,
        cast(bar_date as date) as bar_date,
        cast(open as {{ type_double() }}) as open,
        cast(high as {{ type_double() }}) as high,
        cast(low as {{ type_double() }}) as low,
        cast(close as {{ type_double() }}) as close,
        cast(adj_close as {{ type_double() }}) as adj_close,
        cast(volume as {{ type_double() }}) as volume,
        cast(quote_volume as {{ type_double() }}) as quote_volume,
        cast(dividends as {{ type_double() }}) as dividends,
        cast(stock_splits as {{ type_double() }}) as stock_splits,
        coalesce(cast(is_perpetual as boolean), false) as is_perpetual,
        {{ staged_lineage_columns() }}
    from deduplicated

)

select * from typed

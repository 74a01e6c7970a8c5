-- Trading sessions per calendar (exchange_calendars; 24/7 = one session per UTC day).
-- session_date is the exchange-local session label as a DATE; open/close are naive UTC.
with source as (

    select * from {{ source('raw', 'trading_sessions') }}

),

renamed as (

    select
        cast(calendar as {{ dbt.type_string() }}) as calendar,
        cast(session_date as date) as session_date,
        cast(open_utc as {{ dbt.type_timestamp() }}) as open_utc,
        cast(close_utc as {{ dbt.type_timestamp() }}) as close_utc,
        coalesce(cast(is_early_close as boolean), false) as is_early_close
    from source

),

deduplicated as (

    {{ latest_rows(
        'renamed',
        partition_by=['calendar', 'session_date'],
        order_by='close_utc desc',
        columns=['calendar', 'session_date', 'open_utc', 'close_utc', 'is_early_close'],
    ) }}

)

select * from deduplicated

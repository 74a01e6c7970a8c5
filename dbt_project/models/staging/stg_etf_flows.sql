-- Farside spot-ETF daily net flows per fund, in USD (not millions).
-- Closed markets are MARKED, never zero-filled: market_open is false when Farside's row is
-- all empty (its holiday marker, which carries Total 0.0) or when flow_date is not an XNYS
-- session; flow_usd is null on those rows. An empty fund cell on an open day (fund not yet
-- launched, no report) stays null too.
with deduplicated as (

    {{ latest_source_rows('etf_flows') }}

),

xnys_sessions as (

    select session_date
    from {{ ref('stg_trading_sessions') }}
    where calendar = 'XNYS'

),

typed as (

    select
        cast(flows.source_id as {{ dbt.type_string() }}) as source_id,
        upper(cast(flows.product as {{ dbt.type_string() }})) as product,
        cast(flows.flow_date as date) as flow_date,
        cast(flows.fund as {{ dbt.type_string() }}) as fund,
        cast(flows.flow_usd_millions as {{ type_double() }}) as flow_usd_millions,
        coalesce(cast(flows.row_all_empty as boolean), false) as row_all_empty,
        cast(flows.origin as {{ dbt.type_string() }}) as origin,
        cast(flows.payload_sha256 as {{ dbt.type_string() }}) as payload_sha256,
        cast(flows.source_line as integer) as source_line,
        {{ to_utc_timestamp('flows.loaded_at') }} as loaded_at_utc
    from deduplicated as flows

),

marked as (

    select
        typed.source_id,
        typed.product,
        typed.flow_date,
        typed.fund,
        typed.fund = 'Total' as is_total,
        typed.row_all_empty,
        xnys_sessions.session_date is not null as is_xnys_session,
        (not typed.row_all_empty and xnys_sessions.session_date is not null) as market_open,
        typed.flow_usd_millions,
        case
            when not typed.row_all_empty and xnys_sessions.session_date is not null
                -- Farside publishes at most 1 decimal of US$ millions: the product is a whole
                -- number of dollars; rounding removes binary floating-point noise
                -- (-1113.7 * 1e6 = -1113700000 exactly).
                then round(typed.flow_usd_millions * 1000000, 2)
        end as flow_usd,
        typed.origin,
        typed.payload_sha256,
        typed.source_line,
        typed.loaded_at_utc
    from typed
    left join xnys_sessions
        on typed.flow_date = xnys_sessions.session_date

)

select * from marked

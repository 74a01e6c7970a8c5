-- Daily bars of every source in the catalog's terms, one row per (source_id, bar_date): FX
-- sources flagged invert=true in the catalog turned round (1/x; high and low swap), and every
-- bar marked with is_session (is bar_date a session of the series' calendar?). Bars on
-- non-session days (VIX and Yahoo FX rows on US holidays, ...) are kept and flagged, never
-- dropped. stg_daily_bars has already typed and deduplicated them.
with bars as (

    select * from {{ ref('stg_daily_bars') }}

),

sources as (

    select
        source_id,
        invert
    from {{ ref('stg_series_sources') }}

),

series as (

    select
        series_id,
        calendar
    from {{ ref('stg_series') }}

),

sessions as (

    select
        calendar,
        session_date
    from {{ ref('stg_trading_sessions') }}

),

calendar_coverage as (

    select
        calendar,
        min(session_date) as first_session_date,
        max(session_date) as last_session_date
    from sessions
    group by calendar

),

typed as (

    select
        bars.source_id,
        bars.series_id,
        bars.bar_date,
        coalesce(sources.invert, false) as is_inverted,
        bars.open,
        bars.high,
        bars.low,
        bars.close,
        bars.adj_close,
        bars.volume,
        bars.quote_volume,
        bars.dividends,
        bars.stock_splits,
        bars.is_perpetual,
        bars.origin,
        bars.payload_sha256,
        bars.source_line,
        bars.loaded_at_utc
    from bars
    left join sources
        on bars.source_id = sources.source_id

),

inverted as (

    select
        source_id,
        series_id,
        bar_date,
        is_inverted,
        case when is_inverted then 1.0 / nullif(open, 0) else open end as open,
        case when is_inverted then 1.0 / nullif(low, 0) else high end as high,
        case when is_inverted then 1.0 / nullif(high, 0) else low end as low,
        case when is_inverted then 1.0 / nullif(close, 0) else close end as close,
        case when is_inverted then 1.0 / nullif(adj_close, 0) else adj_close end as adj_close,
        volume,
        quote_volume,
        dividends,
        stock_splits,
        is_perpetual,
        origin,
        payload_sha256,
        source_line,
        loaded_at_utc
    from typed

),

flagged as (

    select
        inverted.source_id,
        inverted.series_id,
        inverted.bar_date,
        series.calendar,
        case
            when series.calendar = '24/7' then true
            when inverted.bar_date between coverage.first_session_date
                and coverage.last_session_date
                then sessions.session_date is not null
        end as is_session,
        inverted.is_inverted,
        inverted.open,
        inverted.high,
        inverted.low,
        inverted.close,
        inverted.adj_close,
        inverted.volume,
        inverted.quote_volume,
        inverted.dividends,
        inverted.stock_splits,
        inverted.is_perpetual,
        inverted.origin,
        inverted.payload_sha256,
        inverted.source_line,
        inverted.loaded_at_utc
    from inverted
    left join series
        on inverted.series_id = series.series_id
    left join calendar_coverage as coverage
        on series.calendar = coverage.calendar
    left join sessions
        on series.calendar = sessions.calendar
        and inverted.bar_date = sessions.session_date

)

select * from flagged

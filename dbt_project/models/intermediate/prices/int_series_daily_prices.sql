-- One price per (series_id, bar_date), chosen among the series' PRIMARY sources by
-- precedence (lowest number wins). This stitches series made of several primary files (the
-- two DXY files, Yahoo RNDR + Binance RENDER): on days where parts overlap the preferred
-- (newer) part wins, elsewhere whichever part has the day. Secondary sources never fill gaps;
-- they are compared in int_source_agreement.
with bars as (

    select * from {{ ref('int_daily_bars') }}

),

primary_sources as (

    select
        source_id,
        precedence
    from {{ ref('stg_series_sources') }}
    where is_primary

),

ranked as (

    select
        bars.series_id,
        bars.bar_date,
        bars.source_id,
        primary_sources.precedence as source_precedence,
        bars.calendar,
        bars.is_session,
        bars.open,
        bars.high,
        bars.low,
        bars.close,
        bars.volume,
        row_number() over (
            partition by bars.series_id, bars.bar_date
            order by primary_sources.precedence, bars.source_id
        ) as source_rank,
        count(*) over (
            partition by bars.series_id, bars.bar_date
        ) as primary_sources_on_day
    from bars
    inner join primary_sources
        on bars.source_id = primary_sources.source_id

)

select
    series_id,
    bar_date,
    source_id,
    source_precedence,
    primary_sources_on_day,
    calendar,
    is_session,
    open,
    high,
    low,
    close,
    volume
from ranked
where source_rank = 1

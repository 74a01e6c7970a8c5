-- How well the sources of one series agree: one row per pair of sources of a price series
-- (every series with 2+ sources that delivered bars, including each pair of stitched primary
-- parts, even when they do not overlap). The
-- reference source is the preferred one of the pair (lower precedence number). On the days
-- both sources have a close: overlap span, max and mean absolute relative close difference
-- |compared / reference - 1|, and the correlation of daily returns, each return taken between
-- consecutive overlap days so both sources' returns span the same interval.
with series as (

    select series_id
    from {{ ref('stg_series') }}
    where is_price_series

),

bars as (

    select
        source_id,
        bar_date,
        close
    from {{ ref('int_daily_bars') }}
    where close is not null

),

source_coverage as (

    select
        source_id,
        count(*) as bar_days,
        min(bar_date) as first_bar_date,
        max(bar_date) as last_bar_date
    from bars
    group by source_id

),

-- Only sources that delivered bars: a catalogued live feed that was never fetched is not a
-- second source yet.
sources as (

    select
        sources.series_id,
        sources.source_id,
        sources.source_kind,
        sources.is_primary,
        sources.precedence
    from {{ ref('stg_series_sources') }} as sources
    inner join series
        on sources.series_id = series.series_id
    inner join source_coverage
        on sources.source_id = source_coverage.source_id

),

source_pairs as (

    select
        reference.series_id,
        reference.source_id as reference_source_id,
        compared.source_id as compared_source_id,
        reference.precedence as reference_precedence,
        compared.precedence as compared_precedence,
        case
            when reference.source_kind = 'live' or compared.source_kind = 'live'
                then 'live_vs_landing'
            when reference.is_primary and compared.is_primary then 'stitched_primary_parts'
            when reference.is_primary then 'primary_vs_secondary'
            when compared.is_primary then 'secondary_vs_primary'
            else 'secondary_vs_secondary'
        end as pair_kind
    from sources as reference
    inner join sources as compared
        on reference.series_id = compared.series_id
        and reference.precedence < compared.precedence

),

overlap as (

    select
        source_pairs.series_id,
        source_pairs.reference_source_id,
        source_pairs.compared_source_id,
        reference_bars.bar_date,
        reference_bars.close as reference_close,
        compared_bars.close as compared_close,
        abs(compared_bars.close / reference_bars.close - 1) as abs_rel_diff
    from source_pairs
    inner join bars as reference_bars
        on source_pairs.reference_source_id = reference_bars.source_id
    inner join bars as compared_bars
        on source_pairs.compared_source_id = compared_bars.source_id
        and reference_bars.bar_date = compared_bars.bar_date

),

overlap_returns as (

    select
        *,
        reference_close / lag(reference_close) over (
            partition by series_id, reference_source_id, compared_source_id
            order by bar_date
        ) - 1 as reference_return,
        compared_close / lag(compared_close) over (
            partition by series_id, reference_source_id, compared_source_id
            order by bar_date
        ) - 1 as compared_return
    from overlap

),

overlap_stats as (

    select
        series_id,
        reference_source_id,
        compared_source_id,
        count(*) as overlap_days,
        min(bar_date) as first_overlap_date,
        max(bar_date) as last_overlap_date,
        max(abs_rel_diff) as max_abs_rel_close_diff,
        avg(abs_rel_diff) as mean_abs_rel_close_diff,
        cast(sum(case when abs_rel_diff > 0.01 then 1 else 0 end) as bigint)
            as overlap_days_over_1pct,
        count(reference_return) as return_days,
        corr(compared_return, reference_return) as return_correlation
    from overlap_returns
    group by
        series_id,
        reference_source_id,
        compared_source_id

)

select
    source_pairs.series_id,
    source_pairs.reference_source_id,
    source_pairs.compared_source_id,
    source_pairs.pair_kind,
    source_pairs.reference_precedence,
    source_pairs.compared_precedence,
    coalesce(reference_coverage.bar_days, 0) as reference_bar_days,
    reference_coverage.first_bar_date as reference_first_date,
    reference_coverage.last_bar_date as reference_last_date,
    coalesce(compared_coverage.bar_days, 0) as compared_bar_days,
    compared_coverage.first_bar_date as compared_first_date,
    compared_coverage.last_bar_date as compared_last_date,
    coalesce(overlap_stats.overlap_days, 0) as overlap_days,
    overlap_stats.first_overlap_date,
    overlap_stats.last_overlap_date,
    overlap_stats.max_abs_rel_close_diff,
    overlap_stats.mean_abs_rel_close_diff,
    coalesce(overlap_stats.overlap_days_over_1pct, 0) as overlap_days_over_1pct,
    coalesce(overlap_stats.return_days, 0) as return_days,
    overlap_stats.return_correlation
from source_pairs
left join overlap_stats
    on source_pairs.reference_source_id = overlap_stats.reference_source_id
    and source_pairs.compared_source_id = overlap_stats.compared_source_id
left join source_coverage as reference_coverage
    on source_pairs.reference_source_id = reference_coverage.source_id
left join source_coverage as compared_coverage
    on source_pairs.compared_source_id = compared_coverage.source_id

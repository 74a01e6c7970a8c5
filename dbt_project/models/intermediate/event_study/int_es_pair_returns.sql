-- Asset returns with the benchmark compounded over the asset's own session-to-session interval
-- (prev_close_utc, close_utc]: benchmark price as of the asset's close instant over benchmark
-- price as of the previous priced close instant (as-of = last benchmark close at or before).
-- None where the asset has no return: without a price, or on its first priced session (no
-- previous close to compound from). One row per (asset, benchmark, asset session).
with combos as (

    select distinct asset_id, benchmark_asset_id from {{ ref('int_es_series') }}

),

asset_rows as (

    select s.*, c.benchmark_asset_id
    from {{ ref('int_es_asset_sessions') }} as s
    inner join combos as c on s.asset_id = c.asset_id

),

bench_end_px as (

    -- the benchmarks' prices only: the as-of joins sort what they look up in
    select asset_id as b_asset_id, close_utc as bench_end_utc, close as bench_end
    from {{ ref('int_es_asset_sessions') }}
    where close is not null and asset_id in (select c.benchmark_asset_id from combos as c)

),

bench_start_px as (

    select b_asset_id, bench_end_utc as bench_start_utc, bench_end as bench_start
    from bench_end_px

),

-- as of the asset's close, then as of its previous priced close (macro asof_join: DuckDB's
-- ASOF join, emulated on Spark)
end_px as (

    {{ asof_join('asset_rows', 'benchmark_asset_id', 'close_utc', 'bench_end_px', 'b_asset_id',
        'bench_end_utc', ['bench_end_utc', 'bench_end'], 'at_or_before') }}

),

start_px as (

    {{ asof_join('end_px', 'benchmark_asset_id', 'prev_close_utc', 'bench_start_px', 'b_asset_id',
        'bench_start_utc', ['bench_start_utc', 'bench_start'], 'at_or_before') }}

),

benchmarked as (

    select
        *,
        -- a benchmark price more than 10 days stale at the asset's close: benchmark data missing
        close is not null and prev_close_utc is not null and bench_start is not null
        and bench_end_utc >= close_utc - interval 10 day as has_benchmark
    from start_px

)

select
    asset_id,
    benchmark_asset_id,
    session_idx,
    session_date,
    close_utc,
    close,
    simple_return,
    log_return,
    case when has_benchmark then bench_end / bench_start - 1 end as benchmark_simple_return,
    case when has_benchmark then ln(bench_end / bench_start) end as benchmark_log_return
from benchmarked

"""Ingest assets: one per catalog entry, plus the catalog, the trading calendars and the raw tables.

Each entry's asset reads or fetches its sources through ``ingest.pipeline``. A source that fails
(bad file, failed fetch, a load that would wipe most of its rows) keeps its last good rows and
fails the asset's ``loaded`` check with the message naming file, line and column: the entry's
other sources, every other asset and dbt still run, and the publish step refuses to publish the
build. ``raw/<table>`` assets stand for the
DuckDB tables the entries write into, so dbt sources map onto them and the lineage is one graph.
"""

from collections import defaultdict

import dagster as dg
from dagster import AssetExecutionContext

from ingest.catalog import Catalog, SeriesEntry, load_catalog
from ingest.config import load_settings
from ingest.datasets import DATASETS
from ingest.parsers import FORMATS
from ingest.pipeline import (
    EntryReport,
    check_landing_dir,
    ingest_entry,
    load_trading_sessions,
    sync_catalog_tables,
)
from ingest.warehouse import reader

POOL = "warehouse"  # one writer at a time: DuckDB allows a single writing process
GROUP = "ingest"
META_TABLES = ("rejects", "loads", "payloads")


def entry_datasets(entry: SeriesEntry) -> set[str]:
    datasets = set(entry.datasets)
    if entry.live is not None and not datasets:
        datasets.add(_live_dataset(entry))
    return datasets


def _live_dataset(entry: SeriesEntry) -> str:
    live_formats = {
        "yahoo_chart": "yahoo_chart_json",
        "fred": "fred_csv",
        "binance_klines": "binance_klines_json",
        "defillama_hacks": "defillama_hacks_json",
        "farside": "farside_html",
    }
    return FORMATS[live_formats[entry.live.source]].dataset  # type: ignore[union-attr]


def _describe(entry: SeriesEntry) -> str:
    lines = [f"**{entry.name}** ({entry.asset_class}"]
    if entry.calendar:
        lines[0] += f", calendar {entry.calendar}"
    lines[0] += ")"
    if entry.description:
        lines.append(entry.description)
    for spec in entry.landing:
        role = "primary" if spec.primary else "comparison"
        lines.append(f"- landing `{spec.path}` ({spec.format}, {role})")
    if entry.live:
        params = ", ".join(f"{k}={v}" for k, v in entry.live.params.items())
        lines.append(f"- live: {entry.live.source} {params}".rstrip())
    return "\n".join(lines)


LOADED_CHECK = "loaded"


def _entry_status(report: EntryReport) -> str:
    if report.failed:
        return "failed: previous rows kept"
    if all(s.status == "unchanged" for s in report.sources):
        return "unchanged: same payload and recipe as the last load"
    return "loaded"


def build_entry_asset(entry: SeriesEntry) -> dg.AssetsDefinition:
    key = dg.AssetKey(["ingest", entry.id])

    @dg.asset(
        key=key,
        group_name=GROUP,
        description=_describe(entry),
        kinds={"python", "duckdb"},
        pool=POOL,
        deps=[dg.AssetKey(["ingest", "catalog"])],
        tags={"asset_class": entry.asset_class},
        check_specs=[
            dg.AssetCheckSpec(
                LOADED_CHECK,
                asset=key,
                description="Every source of this entry loaded. A failed source keeps its last "
                "good rows (so the rest of the warehouse still builds), but the build is not "
                "published while this check fails.",
            )
        ],
    )
    def _ingest(context: AssetExecutionContext) -> dg.MaterializeResult:
        settings = load_settings()
        if not settings.is_live:
            check_landing_dir(settings)
        report = ingest_entry(settings, entry)
        for source in report.sources:
            log = context.log.error if source.status == "failed" else context.log.info
            log(
                f"{source.source_id}: {source.status}, {source.rows_loaded} rows, "
                f"{source.rows_rejected} rejects from {source.origin}"
                + (f": {source.message}" if source.message else "")
            )
        failed = "\n".join(f"{s.source_id}: {s.message}" for s in report.failed)
        # A failed source does not fail the step: its previous rows stay in raw, dbt still
        # builds every mart, and this ERROR check keeps the build from being published.
        check = dg.AssetCheckResult(
            check_name=LOADED_CHECK,
            passed=not report.failed,
            severity=dg.AssetCheckSeverity.ERROR,
            description=(
                f"{len(report.failed)} source(s) failed; their previously loaded rows are kept.\n"
                f"{failed}"
                if report.failed
                else None
            ),
            metadata={"failed_sources": [s.source_id for s in report.failed]},
        )
        return dg.MaterializeResult(
            metadata={
                "status": _entry_status(report),
                "changed": any(s.status == "loaded" for s in report.sources),
                "rows_loaded": report.rows_loaded,
                "rows_rejected": report.rows_rejected,
                "sources": dg.MetadataValue.md(
                    "\n".join(
                        f"- `{s.source_id}`: {s.status}, {s.rows_loaded} rows, "
                        f"{s.rows_rejected} rejects" + (f" ({s.message})" if s.message else "")
                        for s in report.sources
                    )
                ),
                "seconds": round(report.seconds, 2),
            },
            check_results=[check],
        )

    return _ingest


def build_catalog_assets(catalog: Catalog) -> list[dg.AssetsDefinition]:
    @dg.multi_asset(
        specs=[
            dg.AssetSpec(
                ["ingest", "catalog"],
                group_name=GROUP,
                kinds={"yaml", "duckdb"},
                description=f"The catalog of series ({catalog.path.name}), validated.",
            ),
            dg.AssetSpec(
                ["raw", "series"],
                group_name=GROUP,
                kinds={"duckdb"},
                deps=[["ingest", "catalog"]],
                description="raw.series: one row per catalog entry.",
            ),
            dg.AssetSpec(
                ["raw", "series_sources"],
                group_name=GROUP,
                kinds={"duckdb"},
                deps=[["ingest", "catalog"]],
                description="raw.series_sources: every landing file and live feed with its precedence.",
            ),
        ],
        pool=POOL,
    )
    def catalog_tables(context: AssetExecutionContext):
        settings = load_settings()
        sync = sync_catalog_tables(settings, load_catalog(settings.assets_file))
        if sync.removed:
            context.log.warning(sync.summary())
        yield dg.MaterializeResult(
            asset_key=["ingest", "catalog"],
            metadata={
                "entries": sync.entries,
                "removed_sources": sorted(sync.removed),
                "removed_raw_rows": sync.removed_rows,
            },
        )
        yield dg.MaterializeResult(asset_key=["raw", "series"], metadata={"rows": sync.entries})
        yield dg.MaterializeResult(asset_key=["raw", "series_sources"])

    @dg.asset(
        key=["raw", "trading_sessions"],
        group_name=GROUP,
        kinds={"python", "duckdb"},
        pool=POOL,
        deps=[["ingest", "catalog"]],
        description="raw.trading_sessions: sessions with real UTC open/close (early closes included) "
        "from exchange_calendars for every calendar the catalog uses; 24/7 and 24/5 are UTC days.",
    )
    def trading_sessions() -> dg.MaterializeResult:
        settings = load_settings()
        rows = load_trading_sessions(settings, load_catalog(settings.assets_file))
        return dg.MaterializeResult(
            metadata={"rows": rows, "calendars": sorted(catalog.calendars())}
        )

    return [catalog_tables, trading_sessions]


def build_raw_table_assets(catalog: Catalog) -> list[dg.AssetsDefinition]:
    """One asset per raw table, downstream of every entry that writes into it."""
    writers: dict[str, list[dg.AssetKey]] = defaultdict(list)
    for entry in catalog.entries:
        for dataset in entry_datasets(entry):
            writers[dataset].append(dg.AssetKey(["ingest", entry.id]))
    all_entries = [dg.AssetKey(["ingest", e.id]) for e in catalog.entries]
    assets = []
    for table, dataset in DATASETS.items():
        assets.append(_raw_table_asset(table, dataset.description, writers.get(table, [])))
    for table in META_TABLES:
        assets.append(
            _raw_table_asset(table, f"raw.{table}: ingestion bookkeeping ({table}).", all_entries)
        )
    return assets


def _raw_table_asset(table: str, description: str, deps: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=["raw", table],
        group_name=GROUP,
        kinds={"duckdb"},
        deps=deps,
        description=f"{description}\n\nWritten by the ingest assets upstream; this step reports the table's contents.",
    )
    def _table() -> dg.MaterializeResult:
        settings = load_settings()
        with reader(settings.warehouse_db) as con:
            exists = con.execute(
                "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = ?",
                [table],
            ).fetchone()[0]
            rows = con.execute(f"select count(*) from raw.{table}").fetchone()[0] if exists else 0
        return dg.MaterializeResult(metadata={"rows": rows})

    return _table


def build_ingest_assets(catalog: Catalog) -> list[dg.AssetsDefinition]:
    return (
        build_catalog_assets(catalog)
        + [build_entry_asset(e) for e in catalog.entries]
        + build_raw_table_assets(catalog)
    )

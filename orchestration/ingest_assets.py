"""Dagster ingest assets: one per series of the catalog (``ingest/<series id>``), plus the
catalog, the trading calendars and the raw tables.

Each series' Dagster asset reads or fetches the series' sources through ``ingest.pipeline``. A
source that fails (bad file, failed fetch, a load that would wipe most of its rows) keeps its
last good rows and fails the Dagster asset's ``loaded`` check with the message naming file, line
and column: the series' other sources, every other Dagster asset and dbt still run, and the
publish step refuses to publish the build. ``raw/<table>`` Dagster assets stand for the DuckDB
tables the series write into, so dbt sources map onto them and the lineage is one graph.
"""

from collections import defaultdict

import dagster as dg
from dagster import AssetExecutionContext

from ingest.catalog import Catalog, SeriesEntry, load_catalog
from ingest.connectors.live import LIVE_FORMATS
from ingest.datasets import DATASETS
from ingest.errors import WarehouseBusyError
from ingest.parsers import FORMATS
from ingest.pipeline import (
    EntryReport,
    busy_report,
    check_landing_dir,
    ingest_entry,
    ingest_session,
    load_trading_sessions,
    sync_catalog_tables,
)
from ingest.warehouse import reader
from orchestration.resources import WarehouseSettings

POOL = "warehouse"  # one writer at a time: DuckDB allows a single writing process
GROUP = "ingest"
META_TABLES = ("rejects", "loads", "payloads")


def entry_datasets(entry: SeriesEntry) -> set[str]:
    datasets = set(entry.datasets)
    if entry.live is not None and not datasets:
        datasets.add(_live_dataset(entry))
    return datasets


def _live_dataset(entry: SeriesEntry) -> str:
    return FORMATS[LIVE_FORMATS[entry.live.source]].dataset  # type: ignore[union-attr]


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


def _loaded_check(report: EntryReport) -> dg.AssetCheckResult:
    failed = "\n".join(f"{s.source_id}: {s.message}" for s in report.failed)
    # A failed source does not fail the step: its previous rows stay in raw, dbt still builds
    # every mart, and this ERROR check keeps the build from being published.
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(["ingest", report.series_id]),
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


def _entry_result(report: EntryReport) -> dg.MaterializeResult:
    return dg.MaterializeResult(
        asset_key=dg.AssetKey(["ingest", report.series_id]),
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
        check_results=[_loaded_check(report)],
    )


def _log_report(context: AssetExecutionContext, report: EntryReport) -> None:
    for source in report.sources:
        log = context.log.error if source.status == "failed" else context.log.info
        log(
            f"{source.source_id}: {source.status}, {source.rows_loaded} rows, "
            f"{source.rows_rejected} rejects from {source.origin}"
            + (f": {source.message}" if source.message else "")
        )


def build_series_assets(catalog: Catalog) -> dg.AssetsDefinition:
    """One Dagster asset per series of the catalog, all loaded by one step through one writer
    connection: one step and one connection per series cost more than the loads themselves."""
    asset_key_of = {e.id: dg.AssetKey(["ingest", e.id]) for e in catalog.entries}

    @dg.multi_asset(
        name="ingest_entries",
        specs=[
            dg.AssetSpec(
                asset_key_of[e.id],
                group_name=GROUP,
                description=_describe(e),
                kinds={"python", "duckdb"},
                deps=[dg.AssetKey(["ingest", "catalog"])],
                tags={"asset_class": e.asset_class},
            )
            for e in catalog.entries
        ],
        check_specs=[
            dg.AssetCheckSpec(
                LOADED_CHECK,
                asset=asset_key_of[e.id],
                description="Every source of this series loaded. A failed source keeps its last "
                "good rows (so the rest of the warehouse still builds), but the build is not "
                "published while this check fails.",
            )
            for e in catalog.entries
        ],
        can_subset=True,
        pool=POOL,
    )
    def ingest_entries(context: AssetExecutionContext, warehouse: WarehouseSettings):
        settings = warehouse.settings
        if not settings.is_live:
            check_landing_dir(settings)
        selected = [e for e in catalog.entries if asset_key_of[e.id] in context.selected_asset_keys]
        done: set[str] = set()
        try:
            with ingest_session(settings):
                for entry in selected:
                    report = ingest_entry(settings, entry)
                    done.add(entry.id)
                    _log_report(context, report)
                    yield _entry_result(report)
        except WarehouseBusyError as exc:
            # The file stayed held: every entry not loaded yet fails as a lock, not as data.
            for entry in selected:
                if entry.id not in done:
                    report = busy_report(settings, entry, exc)
                    _log_report(context, report)
                    yield _entry_result(report)

    return ingest_entries


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
    def catalog_tables(context: AssetExecutionContext, warehouse: WarehouseSettings):
        settings = warehouse.settings
        sync = sync_catalog_tables(settings, load_catalog(settings.series_file))
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
    def trading_sessions(warehouse: WarehouseSettings) -> dg.MaterializeResult:
        settings = warehouse.settings
        rows = load_trading_sessions(settings, load_catalog(settings.series_file))
        return dg.MaterializeResult(
            metadata={"rows": rows, "calendars": sorted(catalog.calendars())}
        )

    return [catalog_tables, trading_sessions]


def build_raw_table_assets(catalog: Catalog) -> list[dg.AssetsDefinition]:
    """One asset per raw table, downstream of every entry that writes into it; one step reports
    them all."""
    writers: dict[str, list[dg.AssetKey]] = defaultdict(list)
    for entry in catalog.entries:
        for dataset in entry_datasets(entry):
            writers[dataset].append(dg.AssetKey(["ingest", entry.id]))
    all_entries = [dg.AssetKey(["ingest", e.id]) for e in catalog.entries]
    described = {table: (d.description, writers.get(table, [])) for table, d in DATASETS.items()}
    for table in META_TABLES:
        described[table] = (f"raw.{table}: ingestion bookkeeping ({table}).", all_entries)

    @dg.multi_asset(
        name="raw_tables",
        specs=[
            dg.AssetSpec(
                ["raw", table],
                group_name=GROUP,
                kinds={"duckdb"},
                deps=deps,
                description=f"{text}\n\nWritten by the ingest assets upstream; this step "
                "reports the table's contents.",
            )
            for table, (text, deps) in described.items()
        ],
        can_subset=True,
    )
    def raw_tables(context: AssetExecutionContext, warehouse: WarehouseSettings):
        settings = warehouse.settings
        with reader(settings.warehouse_db) as con:
            existing = {
                r[0]
                for r in con.execute(
                    "select table_name from information_schema.tables where table_schema = 'raw'"
                ).fetchall()
            }
            for table in described:
                key = dg.AssetKey(["raw", table])
                if key not in context.selected_asset_keys:
                    continue
                rows = (
                    con.execute(f"select count(*) from raw.{table}").fetchone()[0]
                    if table in existing
                    else 0
                )
                yield dg.MaterializeResult(asset_key=key, metadata={"rows": rows})

    return [raw_tables]


def build_ingest_assets(catalog: Catalog) -> list[dg.AssetsDefinition]:
    return (
        build_catalog_assets(catalog)
        + [build_series_assets(catalog)]
        + build_raw_table_assets(catalog)
    )

"""The published read copy as a Dagster asset: what readers currently see.

``serving/warehouse`` runs after every dbt model. It publishes only a fully green build: when any
step of the same run failed, any ERROR-severity check failed (a source that did not load, a dbt
test), or ``raw.loads`` holds a failed load, it refuses and readers keep the previous build. Its
metadata (build id, time, row counts) is what the UI shows of the served data.
"""

from collections.abc import Iterator

import dagster as dg
from dagster import AssetExecutionContext, DagsterEventType

from ingest.config import Settings
from ingest.warehouse import reader
from orchestration.ingest_assets import POOL
from orchestration.resources import WarehouseSettings
from publishing.publish import Publication, current_build, failed_loads, publish

SERVING_KEY = dg.AssetKey(["serving", "warehouse"])
MARTS_SHOWN = 25  # row counts listed in the asset's metadata


def _failed_checks(context: AssetExecutionContext) -> list[str]:
    records = context.instance.all_logs(
        context.run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION
    )
    failed = []
    for record in records:
        data = record.dagster_event.event_specific_data
        if not data.passed and getattr(data.severity, "value", "ERROR") == "ERROR":
            failed.append(f"{data.asset_key.to_user_string()}:{data.check_name}")
    return failed


def _failed_steps(context: AssetExecutionContext) -> list[str]:
    records = context.instance.all_logs(context.run.run_id, of_type=DagsterEventType.STEP_FAILURE)
    return [r.dagster_event.step_key for r in records]


def reasons_not_to_publish(context: AssetExecutionContext, settings: Settings) -> list[str]:
    reasons = []
    if steps := _failed_steps(context):
        reasons.append(f"failed steps: {', '.join(steps)}")
    if checks := _failed_checks(context):
        reasons.append(f"failed checks: {', '.join(checks[:10])}")
    with reader(settings.warehouse_db) as con:
        loads = failed_loads(con)
    if loads:
        reasons.append(f"failed loads in raw.loads: {', '.join(loads[:10])}")
    return reasons


def publication_metadata(publication: Publication, previous: dict | None) -> dict:
    """What the UI shows of a publication (a run's or `make study`'s)."""
    marts = {k: v for k, v in publication.row_counts.items() if k.startswith("marts.")}
    table = "\n".join(
        ["| table | rows |", "|---|---:|"]
        + [f"| `{name}` | {rows:,} |" for name, rows in list(marts.items())[:MARTS_SHOWN]]
    )
    return {
        "build_id": publication.build_id,
        "published_at": publication.published_at.isoformat(),
        "previous_build_id": (previous or {}).get("build_id") or "none",
        "serving_db": dg.MetadataValue.path(str(publication.serving_db)),
        "export_dir": dg.MetadataValue.path(str(publication.export_dir)),
        "tables": publication.tables,
        "rows": publication.rows,
        "mart_rows": dg.MetadataValue.md(table),
        "seconds": round(publication.seconds, 2),
    }


def build_publish_assets(upstream: list[dg.AssetKey]) -> list[dg.AssetsDefinition]:
    @dg.asset(
        key=SERVING_KEY,
        group_name="serving",
        deps=upstream,
        kinds={"duckdb", "parquet"},
        pool=POOL,
        automation_condition=dg.AutomationCondition.eager(),
        # On Spark (WAREHOUSE_ENGINE=spark) nothing is published: the marts are the Parquet
        # tables under SPARK_WAREHOUSE_DIR, and the DuckDB read copy is not rebuilt from them.
        output_required=False,
        description="The read copy readers use (SERVING_DB, default serving/warehouse.duckdb) and "
        "its Parquet exports (EXPORT_DIR, default exports/<schema>/<table>.parquet): marts, "
        "staging, raw and intermediate.int_daily_bars as tables with their descriptions, plus "
        "meta.build_info. Swapped in atomically, and only after a fully green build: otherwise readers keep the last good one.",
    )
    def published_warehouse(
        context: AssetExecutionContext, warehouse: WarehouseSettings
    ) -> Iterator[dg.MaterializeResult]:
        settings = warehouse.settings
        if settings.engine == "spark":
            context.log.info(
                f"built on Spark: tables under {settings.spark_warehouse_dir}; the DuckDB read "
                "copy is not published from a Spark build"
            )
            return
        previous = current_build(settings.serving_db)
        reasons = reasons_not_to_publish(context, settings)
        if reasons:
            kept = (previous or {}).get("build_id") or "none (nothing published yet)"
            raise dg.Failure(
                description=f"not published: {'; '.join(reasons)}. Readers keep build {kept}.",
                metadata={"readers_see": str(kept)},
            )
        publication = publish(
            settings.warehouse_db,
            settings.serving_db,
            settings.export_dir,
            context.run.run_id,
            progress=context.log.info,
        )
        context.log.info(
            f"published build {publication.build_id}: {publication.tables} tables, "
            f"{publication.rows:,} rows to {publication.serving_db}"
        )
        yield dg.MaterializeResult(metadata=publication_metadata(publication, previous))

    return [published_warehouse]

"""Entry point for `dagster dev` / `make ui` and the headless `make run`."""

from __future__ import annotations

import dagster as dg

from ingest.catalog import load_catalog
from ingest.config import REPO_ROOT, Settings, load_settings
from orchestration.automation import (
    build_landing_sensor,
    build_schedules,
    failed_run_reason,
)
from orchestration.dbt_assets import dbt_models
from orchestration.dbt_project import dbt_project
from orchestration.event_config_assets import build_event_config_assets
from orchestration.freshness import build_freshness_checks
from orchestration.ingest_assets import build_ingest_assets
from orchestration.publish_assets import build_publish_assets
from orchestration.report_assets import build_report_assets
from orchestration.resources import WarehouseDbtCliResource, WarehouseSettings


def dbt_resource(settings: Settings) -> WarehouseDbtCliResource:
    """dbt on DuckDB that keeps its parse across warehouse files (warehouse_engine/dbt-duckdb);
    on Spark (WAREHOUSE_ENGINE=spark) dbt in a process that starts the local Spark session first
    (warehouse_engine/dbt-spark)."""
    executable = "dbt-spark" if settings.engine == "spark" else "dbt-duckdb"
    return WarehouseDbtCliResource(
        project_dir=dbt_project, dbt_executable=REPO_ROOT / "warehouse_engine" / executable
    )


def build_definitions() -> dg.Definitions:
    """The ingest Dagster assets, one per series, come from the catalog named by SERIES_FILE at
    the time of the call; the settings every Dagster asset runs with are those of the
    environment at that time too."""
    settings = load_settings()
    catalog = load_catalog(settings.series_file)
    everything = dg.define_asset_job(
        "build_warehouse",
        selection=dg.AssetSelection.all(),
        description="Every ingest asset, every raw table, every dbt model and test, the publish "
        "of the read copy and the report.",
    )
    return dg.Definitions(
        assets=[
            *build_ingest_assets(catalog),
            *build_event_config_assets(),
            dbt_models,
            *build_publish_assets(sorted(dbt_models.keys, key=lambda k: k.path)),
            *build_report_assets(),
        ],
        asset_checks=build_freshness_checks(catalog),
        jobs=[everything],
        schedules=build_schedules(catalog),
        sensors=[build_landing_sensor(catalog), failed_run_reason],
        resources={
            "dbt": dbt_resource(settings),
            "warehouse": WarehouseSettings.from_settings(settings),
        },
        # Every run (UI, schedule, sensor) runs its steps in one process, as make run does:
        # the warehouse has one writer, so a process per step only adds start-up time and
        # queues on the writer slot.
        executor=dg.in_process_executor,
    )


defs = build_definitions()

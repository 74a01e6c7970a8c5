"""dbt models and tests as Dagster assets and asset checks, one lineage with the ingest assets.

dbt runs while the pipeline holds the warehouse's writer lock, with one DuckDB connection for the
whole build (``keep_open`` in profiles.yml), so no other process can take the file half-way. When
the file is held anyway (a foreign process opened the private file), the step fails with a lock
message, never with data tests reported as failed.
"""

import json
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import closing, suppress
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

import dagster as dg
from dagster import AssetExecutionContext
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from ingest.config import Settings, choice_setting
from ingest.errors import WarehouseBusyError
from ingest.warehouse import (
    connect_for_write,
    is_lock_error,
    writer_lock,
)
from orchestration.dbt_project import dbt_project
from orchestration.ingest_assets import POOL
from orchestration.resources import WarehouseSettings, dbt_cli
from publishing.build_state import (
    INPUTS_TAG,
    forget_state,
    plan_build,
    record_inputs,
    save_state,
    state_fingerprint,
)
from publishing.publish import current_build
from warehouse_engine.lake import export_raw

LAYERS = ("staging", "intermediate", "marts")
# Models not portable to Spark would carry this tag (none today: every model builds on both
# engines); on Spark they and everything that reads them are left out of the build.
DUCKDB_ONLY = "tag:duckdb_only+"

# SPARK_DBT_TESTS=marts (the parity test): on Spark only the marts' data tests run. The unit
# tests and the staging, intermediate and seed data tests check logic and inputs that DuckDB's
# build tested on the same raw data, and the parity test proves Spark's rows equal DuckDB's;
# each test is a Spark job of about a second. Default `all`: every data test.
# Unit tests are left to the test suite on both engines (DuckDB's build leaves them out too):
# their fixtures are small hand-made rows, and on Spark a model's window bounds come from the
# real studies (one window per study), not from the fixture's.
# Always left out on Spark: the data tests of the ephemeral findings_* parts of fct_findings
# (fct_findings' own tests cover their rows). Spark 4.0 fails some of them in its own task
# deserialisation (ClassCastException on UnionExec.children: a union of CTEs that calls a
# pandas UDF), and a test in error would skip fct_findings.
_FINDINGS_PARTS = sorted(
    f"resource_type:test,path:models/marts/findings/{path.name}"
    for path in (dbt_project.project_dir / "models" / "marts" / "findings").glob("findings_*.yml")
)
SPARK_TESTS_LEFT_OUT = {
    "all": [*_FINDINGS_PARTS, "resource_type:unit_test"],
    "marts": [
        *_FINDINGS_PARTS,
        "resource_type:unit_test",
        "resource_type:test,path:models/staging",
        "resource_type:test,path:models/intermediate",
        "resource_type:test,path:seeds",
    ],
}

DBT_STOP_SECONDS = 30
FORGET_WAIT_SECONDS = 30
# dagster-dbt gives every dbt invocation a folder of its own under dbt_project/target
# (dbt_models-<run>-<id>: manifest, compiled SQL, run results, dbt.log; ~15 MB) and never removes
# it: a daily `make run` would fill the disk. The newest few stay for debugging.
KEPT_INVOCATION_FOLDERS = 5


def prune_invocation_folders(
    target_dir: Path, op_name: str, keep: int = KEPT_INVOCATION_FOLDERS
) -> list[Path]:
    """Remove all but the ``keep`` newest invocation folders of ``op_name``; the removed ones."""
    folders = sorted(
        (p for p in target_dir.glob(f"{op_name}-*") if p.is_dir()),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for folder in folders[keep:]:
        shutil.rmtree(folder, ignore_errors=True)
    return folders[keep:]


class WarehouseTranslator(DagsterDbtTranslator):
    """dbt sources map onto the raw-table assets; models are grouped by layer folder."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return dg.AssetKey(
            [dbt_resource_props["config"].get("schema") or "dbt", dbt_resource_props["name"]]
        )

    def get_metadata(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, Any]:
        metadata = dict(super().get_metadata(dbt_resource_props))
        if dbt_resource_props.get("name") == "fct_findings":
            # The findings page links to the report that shows them (asset reports/warehouse_report).
            from report.build import default_report_file

            path = default_report_file()
            metadata["report"] = dg.MetadataValue.url(f"file://{path}")
            metadata["report_asset"] = "reports/warehouse_report (make report or make run)"
        return metadata

    def get_automation_condition(
        self, dbt_resource_props: Mapping[str, Any]
    ) -> dg.AutomationCondition | None:
        # A scheduled or sensor-triggered ingest flows on through the models by itself.
        return dg.AutomationCondition.eager()

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        for layer in LAYERS:
            if layer in fqn:
                return layer
        return "marts"


translator = WarehouseTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


def _lock_errors(invocation) -> list[str]:
    """Messages of dbt nodes that failed because the warehouse file was locked."""
    try:
        results = invocation.get_artifact("run_results.json").get("results", [])
    except Exception:  # noqa: BLE001 - no run results (dbt died early): nothing to classify
        return []
    return [
        f"{r.get('unique_id')}: {r.get('message')}"
        for r in results
        if r.get("message") and is_lock_error(Exception(r["message"]))
    ]


def _keys_named(context: AssetExecutionContext, names: set[str]) -> set[dg.AssetKey]:
    """The selected asset keys of the dbt nodes with these names."""
    manifest = json.loads(dbt_project.manifest_path.read_text())
    keys = {
        translator.get_asset_key(node)
        for node in manifest["nodes"].values()
        if node["resource_type"] in {"model", "seed", "snapshot"} and node["name"] in names
    }
    return keys & set(context.selected_asset_keys)


def _in_dependency_order(
    context: AssetExecutionContext, keys: set[dg.AssetKey] | None = None
) -> list[dg.AssetKey]:
    """The given (default: selected) models, each after the models it reads, the order in
    which Dagster requires a multi-asset to report them."""
    selected = set(context.selected_asset_keys) if keys is None else keys
    deps = context.assets_def.asset_deps
    graph = {key: {d for d in deps.get(key, set()) if d in selected} for key in selected}
    return list(TopologicalSorter(graph).static_order())


def _readers_see(settings: Settings, built_state: str | None) -> bool:
    """Whether the published copy was made from exactly this build state."""
    published = current_build(settings.serving_db) or {}
    return built_state is not None and published.get("build_state") == built_state


def _status(check: dg.AssetCheckResult) -> str | None:
    status = check.metadata.get("status")
    return getattr(status, "value", status)


def _end(invocation) -> None:
    """Stop a dbt process this step no longer reads: it would block on its full output pipe
    while holding the warehouse file open."""
    if invocation.process.poll() is None:
        invocation.process.terminate()
        try:
            invocation.process.wait(timeout=DBT_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            invocation.process.kill()
            invocation.process.wait(timeout=DBT_STOP_SECONDS)


def _build(
    context: AssetExecutionContext, dbt: DbtCliResource, settings: Settings, args: list[str]
) -> Iterator:
    invocation = dbt_cli(dbt, settings, args, context=context, raise_on_error=False)
    errored_checks = []
    try:
        for event in invocation.stream():
            # A test that errored (rather than failed) may be a lock, not data: decide at the end.
            if isinstance(event, dg.AssetCheckResult) and _status(event) == "error":
                errored_checks.append(event)
                continue
            yield event
    finally:
        _end(invocation)
    locked = _lock_errors(invocation)
    if locked:
        raise WarehouseBusyError(
            f"warehouse busy: {len(locked)} dbt node(s) could not open the warehouse file, which "
            f"another process holds (readers must use SERVING_DB). First: {locked[0]}"
        )
    yield from errored_checks
    if not invocation.is_successful():
        raise dg.Failure(description=f"dbt build failed: {invocation.get_error()}")


def _build_on_spark(
    context: AssetExecutionContext, dbt: DbtCliResource, settings: Settings
) -> Iterator:
    """WAREHOUSE_ENGINE=spark: the raw tables to the lake as Parquet, then every portable model
    and test on the local Spark session (tables under SPARK_WAREHOUSE_DIR). Always a full build:
    the incremental plan reads DuckDB's build state, which a Spark build does not write."""
    with (
        writer_lock(settings.warehouse_db),
        closing(connect_for_write(settings.warehouse_db)) as con,
    ):
        counts = export_raw(con, settings.lake_dir)
    context.log.info(f"raw tables written to {settings.lake_dir}: {counts}")
    excluded = [
        DUCKDB_ONLY,
        *SPARK_TESTS_LEFT_OUT[choice_setting("SPARK_DBT_TESTS", tuple(SPARK_TESTS_LEFT_OUT))],
    ]
    context.log.info(f"left out on Spark: {' '.join(excluded)}")
    # one --exclude: dagster-dbt takes a single value per flag (selectors space-separated)
    yield from _build(context, dbt, settings, ["build", "--exclude", " ".join(excluded)])


@dbt_assets(
    manifest=dbt_project.manifest_path,
    dagster_dbt_translator=translator,
    pool=POOL,
    project=dbt_project,
)
def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseSettings):
    settings = warehouse.settings
    # before this invocation's own folder exists: it and the newest others are kept
    prune_invocation_folders(
        dbt_project.project_dir / "target", context.op_execution_context.op.name
    )
    if settings.engine == "spark":
        yield from _build_on_spark(context, dbt, settings)
        return
    # dbt and Python write the same file: dbt gets the resolved path (Settings.dbt_env).
    db_path = settings.warehouse_db
    with writer_lock(db_path):
        # Waits (with progress) while a foreign process holds the file, then plans the build.
        with closing(connect_for_write(db_path)) as con:
            plan = plan_build(con, dbt_project.manifest_path, force_full=settings.full)
            built_state = state_fingerprint(con)
        context.log.info(f"dbt build plan: {plan.reason}")
        inputs = context.run.tags.get(INPUTS_TAG)
        if plan.nothing_to_build and _readers_see(settings, built_state):
            # No output: publish and report are skipped; readers keep the current build.
            context.log.info("nothing changed since the last dbt build: no model rebuilt")
            with closing(connect_for_write(db_path)) as con:
                record_inputs(con, inputs)
            return
        # Models whose inputs did not change are current as they are: say so first (a model's
        # parents are never rebuilt when it is not), so the publish step still runs.
        unchanged = _keys_named(context, plan.unchanged_models(dbt_project.manifest_path))
        for key in _in_dependency_order(context, unchanged):
            yield dg.MaterializeResult(
                asset_key=key, metadata={"rebuilt": False, "why": "its inputs did not change"}
            )
        if plan.nothing_to_build:
            context.log.info("no model rebuilt; the published copy is behind: publishing again")
            return
        try:
            args = plan.dbt_args(dbt_project.manifest_path, whole_project=not context.is_subset)
            yield from _build(context, dbt, settings, args)
        except BaseException:
            # The next build starts from scratch; never wait long here, the step already failed.
            wait = min(FORGET_WAIT_SECONDS, settings.writer_wait_seconds)
            with suppress(WarehouseBusyError), closing(connect_for_write(db_path, wait)) as con:
                forget_state(con)
            raise
        with closing(connect_for_write(db_path)) as con:
            save_state(con, dbt_project.manifest_path, inputs)

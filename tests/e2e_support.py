"""Run the real `build_warehouse` Dagster job into a given DuckDB file (used by tests)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from orchestration.run import root_message


@dataclass
class BuildResult:
    success: bool
    failures: list[str] = field(default_factory=list)


def build_warehouse(
    db_path: Path,
    landing_dir: Path,
    assets_file: Path | None = None,
    extra_env: dict[str, str] | None = None,
) -> BuildResult:
    """Materialise every asset into ``db_path``; environment restored afterwards."""
    overrides = {
        "WAREHOUSE_DB": str(db_path),
        "LANDING_DIR": str(landing_dir),
        "ARCHIVE_DIR": str(db_path.parent / "archive"),
        "INGEST_MODE": "landing",
        "REPORT_FILE": str(db_path.parent / "report.html"),
        "SERVING_DB": str(db_path.parent / "serving" / "warehouse.duckdb"),
        "EXPORT_DIR": str(db_path.parent / "exports"),
    }
    if assets_file is not None:
        overrides["ASSETS_FILE"] = str(assets_file)
    overrides.update(extra_env or {})
    saved = {k: os.environ.get(k) for k in overrides}
    os.environ.update(overrides)
    try:
        from orchestration.definitions import build_definitions

        defs = build_definitions()
        job = defs.resolve_job_def("build_warehouse")
        result = job.execute_in_process(
            instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
        )
        failures = [
            f"{e.step_key}: {root_message(e.step_failure_data.error)}"
            for e in result.all_events
            if e.event_type_value == "STEP_FAILURE"
        ]
        return BuildResult(result.success, failures)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

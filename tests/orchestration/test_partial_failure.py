"""Issue 8.3: one failed asset blocked every mart, and a failed build changed what readers saw.

Starting from a published build A of the small catalog, nvda's Yahoo file loses its Close column
(a file problem) and the event catalogue gains one event, so a fresh dim_event shows that dbt ran.
`make run` (a real process with its own DAGSTER_HOME) must then: keep nvda's last good rows,
build every model, show the failure (the asset's status, its ``loaded`` check, raw.loads, the run
summary) and refuse to publish, so readers keep build A. Once the file is fixed, the next build
is published.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, DagsterEventType
from dagster._core.storage.dagster_run import DagsterRunStatus

from ingest.config import REPO_ROOT
from publishing.publish import current_build
from tests.orchestration.conftest import SmallBuild
from tests.orchestration.support import (
    NVDA_CLOSE_2025_01_27,
    NVDA_CLOSE_SQL,
    NVDA_FILE,
    NVDA_SOURCE,
    MakeRun,
    Workspace,
    instance_at,
    make_workspace,
    scalar,
)

pytestmark = pytest.mark.e2e

NEW_EVENT = "issue8_partial_failure_probe"
EVENT_LINE = (
    f"{NEW_EVENT},Added by tests/orchestration (issue 8),market_shock,2025-03-03,,,"
    "https://example.org/issue-8,Its presence in dim_event shows that dbt ran.\n"
)
HAS_NEW_EVENT = f"select count(*) from marts.dim_event where event_id = '{NEW_EVENT}'"
MISSING_CLOSE = "missing column 'Close'"


def _error_checks_failed(ws: Workspace, run_id: str) -> list[str]:
    with instance_at(ws.dagster_home) as instance:
        records = instance.all_logs(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION)
    failed = []
    for record in records:
        data = record.get_dagster_event().event_specific_data
        if not data.passed and data.severity.value == "ERROR":
            failed.append(f"{data.asset_key.to_user_string()}:{data.check_name}")
    return failed


def _steps(ws: Workspace, run_id: str, event_type: DagsterEventType) -> list[str]:
    with instance_at(ws.dagster_home) as instance:
        records = instance.all_logs(run_id, of_type=event_type)
    return sorted(r.get_dagster_event().step_key for r in records)


def test_a_failed_source_keeps_its_rows_lets_dbt_build_and_is_not_published(
    tmp_path: Path, landing_dir: Path, small_build: SmallBuild
) -> None:
    ws = make_workspace(tmp_path, landing_dir, private_landing=True)
    shutil.copy(small_build.warehouse_db, ws.warehouse_db)
    ws.serving_db.parent.mkdir()
    shutil.copy(small_build.serving_db, ws.serving_db)
    build_a = small_build.build_id
    nvda_rows_sql = "select count(*) from raw.daily_bars where series_id = 'nvda'"
    nvda_rows = scalar(ws.warehouse_db, nvda_rows_sql)
    assert nvda_rows > 6000  # NVDA daily since 1999
    events = tmp_path / "events.csv"
    events.write_text((REPO_ROOT / "config" / "events.csv").read_text() + EVENT_LINE)
    nvda_file = ws.landing_dir / NVDA_FILE
    good = nvda_file.read_text()
    nvda_file.write_text(good.replace("Date,Open,High,Low,Close,", "Date,Open,High,Low,Last,", 1))

    with MakeRun(ws, EVENTS_FILE=str(events)) as broken:
        code = broken.finish()
    out = broken.output
    assert code == 1, out

    # The run summary names the failed source and says readers keep build A.
    assert "check FAILED ingest/nvda:loaded" in out
    assert "failed sources: 1 (previous rows kept; see raw.loads)" in out
    (source_line,) = [line for line in out.splitlines() if line.startswith(f"  {NVDA_SOURCE} ")]
    assert NVDA_FILE in source_line and MISSING_CLOSE in source_line
    not_published = (
        f"not published: failed checks: ingest/nvda:loaded; failed loads in raw.loads: "
        f"{NVDA_SOURCE}. Readers keep build {build_a}."
    )
    (step_line,) = [line for line in out.splitlines() if "FAILED serving__warehouse: " in line]
    assert not_published in step_line
    # The closing line (no time stamp) says what readers see.
    closing = [line for line in out.splitlines() if "not published" in line[:60]]
    closing = [line for line in closing if not line.startswith("[")]
    assert len(closing) == 1 and f"eaders keep build {build_a}" in closing[0], out
    assert "FAILED steps: serving__warehouse" in out
    assert "published: build" not in out and "OK: every asset" not in out

    # Dagster: only the publish step failed; nvda's step succeeded and its ERROR check failed.
    with instance_at(ws.dagster_home) as instance:
        (run,) = instance.get_runs()
        nvda = instance.get_latest_materialization_event(AssetKey(["ingest", "nvda"]))
    assert run.status == DagsterRunStatus.FAILURE
    assert _steps(ws, run.run_id, DagsterEventType.STEP_FAILURE) == ["serving__warehouse"]
    succeeded = _steps(ws, run.run_id, DagsterEventType.STEP_SUCCESS)
    assert {"ingest_entries", "raw_tables", "dbt_models"} <= set(succeeded)
    assert _error_checks_failed(ws, run.run_id) == ["ingest/nvda:loaded"]
    assert nvda is not None and nvda.run_id == run.run_id
    metadata = nvda.asset_materialization.metadata
    assert metadata["status"].value == "failed: previous rows kept"

    # The private warehouse: the failure is in raw.loads, nvda's rows stayed, dbt rebuilt.
    with duckdb.connect(str(ws.warehouse_db), read_only=True) as con:
        status, message = con.execute(
            "select status, message from raw.loads where source_id = ?", [NVDA_SOURCE]
        ).fetchone()
        assert status == "failed" and NVDA_FILE in message and MISSING_CLOSE in message
        assert con.execute(nvda_rows_sql).fetchone()[0] == nvda_rows
        assert con.execute(NVDA_CLOSE_SQL).fetchone()[0] == pytest.approx(
            NVDA_CLOSE_2025_01_27, abs=1e-3
        )
        assert con.execute(HAS_NEW_EVENT).fetchone()[0] == 1  # dbt ran despite the failure
    # Readers still see build A, without the new event, and no exports were written.
    published = current_build(ws.serving_db)
    assert published is not None and published["build_id"] == build_a
    assert scalar(ws.serving_db, HAS_NEW_EVENT) == 0
    assert not ws.export_dir.exists()

    # The file is fixed: the next build is green and readers move on to it.
    nvda_file.write_text(good)
    with MakeRun(ws, EVENTS_FILE=str(events)) as fixed:
        code = fixed.finish()
    out = fixed.output
    assert code == 0, out
    published = current_build(ws.serving_db)
    assert published is not None and published["build_id"] != build_a
    assert f"published: build {published['build_id']} at {ws.serving_db}" in out
    assert scalar(ws.serving_db, HAS_NEW_EVENT) == 1
    assert scalar(ws.serving_db, "select count(*) from raw.loads where status <> 'loaded'") == 0
    assert scalar(ws.serving_db, NVDA_CLOSE_SQL) == pytest.approx(NVDA_CLOSE_2025_01_27, abs=1e-3)
    parquet = ws.export_dir / "marts" / "dim_event.parquet"
    with duckdb.connect() as con:
        exported = con.execute(
            "select count(*) from read_parquet(?) where event_id = ?", [str(parquet), NEW_EVENT]
        ).fetchone()[0]
    assert exported == 1

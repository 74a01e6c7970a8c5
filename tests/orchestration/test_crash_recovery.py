"""Issue 8.1: after a crash the next run hung forever, silently.

Each test runs `make run` (``orchestration.run``) as a real process with its own DAGSTER_HOME
(orchestration/dagster.yaml copied in, as ``make`` does), first reproduces the fault (a run killed
with SIGKILL keeps its slot of pool ``warehouse`` in Dagster's storage and stays "started"), then
shows the fix: the next run says it recovered the dead run's slot, marks that run failed, builds
and publishes; a live holder is waited for, with a line saying who, and given up on with exit 3.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from dagster import DagsterEventType
from dagster._core.storage.dagster_run import DagsterRun, DagsterRunStatus
from dagster._core.utils import make_new_run_id

from orchestration.ingest_assets import POOL
from orchestration.recovery import PID_TAG, process_tags
from publishing.publish import current_build
from tests.orchestration.support import (
    DBT_BUILD_COMMAND,
    FIRST_STEP_SECONDS,
    NVDA_CLOSE_2025_01_27,
    NVDA_CLOSE_SQL,
    NVDA_FILE,
    RUN_SECONDS,
    MakeRun,
    block_archiving,
    claimed_slots,
    instance_at,
    make_workspace,
    scalar,
)

pytestmark = pytest.mark.e2e


def _only_run(dagster_home: Path, exclude: set[str] | None = None) -> DagsterRun:
    with instance_at(dagster_home) as instance:
        runs = [r for r in instance.get_runs() if r.run_id not in (exclude or set())]
    assert len(runs) == 1, [r.run_id for r in runs]
    return runs[0]


def _assert_dead_run_kept_its_slot(dagster_home: Path, run_id: str, step_key: str) -> None:
    """The fault: Dagster keeps a killed run's slot and still believes the run is going."""
    with instance_at(dagster_home) as instance:
        assert claimed_slots(instance) == [(run_id, step_key)]
        run = instance.get_run_by_id(run_id)
        assert run is not None and run.status == DagsterRunStatus.STARTED


def _assert_recovered_and_published(dagster_home: Path, dead: DagsterRun, ws_serving: Path) -> str:
    """After the second run: the dead run is failed with a reason, no slot is left claimed, and
    the second run's build is what readers see. Returns the second run's id."""
    with instance_at(dagster_home) as instance:
        assert claimed_slots(instance) == []
        dead_now = instance.get_run_by_id(dead.run_id)
        assert dead_now is not None and dead_now.status == DagsterRunStatus.FAILURE
        failure = instance.all_logs(dead.run_id, of_type=DagsterEventType.RUN_FAILURE)
        assert len(failure) == 1
        assert f"(pid {dead.tags[PID_TAG]}) no longer exists" in failure[0].message
        (second,) = [r for r in instance.get_runs() if r.run_id != dead.run_id]
        assert second.status == DagsterRunStatus.SUCCESS
    published = current_build(ws_serving)
    assert published is not None and published["run_id"] == second.run_id
    close = scalar(ws_serving, NVDA_CLOSE_SQL)
    assert close == pytest.approx(NVDA_CLOSE_2025_01_27, abs=1e-3)
    return second.run_id


def test_a_run_killed_during_ingest_is_recovered_by_the_next_run(
    tmp_path: Path, landing_dir: Path
) -> None:
    ws = make_workspace(tmp_path, landing_dir)
    fifo = block_archiving(ws, NVDA_FILE)  # the first run stops inside the ingest of nvda
    with MakeRun(ws) as first:
        first.wait_for("running ingest_entries ...", FIRST_STEP_SECONDS)
        dead = _only_run(ws.dagster_home)
        assert dead.tags[PID_TAG] == str(first.pid)  # make run tagged the run with its process
        first.kill()
    _assert_dead_run_kept_its_slot(ws.dagster_home, dead.run_id, "ingest_entries")

    fifo.unlink()
    with MakeRun(ws) as second:
        code = second.finish(RUN_SECONDS)
    out = second.output
    assert code == 0, out
    # It says what it did, before it builds.
    recovered = (
        f"recovered: run {dead.run_id[:8]} (pid {first.pid}) died holding the warehouse writer "
        "slot; marked it failed and took the slot over"
    )
    assert recovered in out
    assert out.index(recovered) < out.index("running catalog_tables ...")
    assert "published: build " in out and "OK: every asset materialised" in out
    _assert_recovered_and_published(ws.dagster_home, dead, ws.serving_db)


def test_a_run_killed_during_dbt_is_recovered_and_its_orphaned_dbt_waited_for(
    tmp_path: Path, landing_dir: Path
) -> None:
    ws = make_workspace(tmp_path, landing_dir)
    with MakeRun(ws) as first:
        first.wait_for("running dbt_models ...", RUN_SECONDS)
        first.wait_for("materialised staging/", RUN_SECONDS)  # dbt's own process is building
        (dbt_pid,) = first.children(DBT_BUILD_COMMAND)
        # Freeze dbt so the step cannot end before the kill (and dbt keeps the file open).
        os.kill(dbt_pid, signal.SIGSTOP)
        dead = _only_run(ws.dagster_home)
        first.kill()  # kill -9 of make run's process; its dbt child is orphaned, not killed
        _assert_dead_run_kept_its_slot(ws.dagster_home, dead.run_id, "dbt_models")

        with MakeRun(ws) as second:
            second.wait_for(f"recovered: run {dead.run_id[:8]} (pid {first.pid}) died", 300)
            # The orphaned dbt still holds the DuckDB file: the next run waits, naming it.
            waiting = second.wait_for(f"(PID {dbt_pid})", FIRST_STEP_SECONDS)
            assert "waiting for warehouse.duckdb: held by " in waiting
            os.kill(dbt_pid, signal.SIGCONT)  # it finishes its build and lets go
            code = second.finish(RUN_SECONDS)
        out = second.output
        assert code == 0, out
        assert "published: build " in out
    _assert_recovered_and_published(ws.dagster_home, dead, ws.serving_db)
    # dbt's log of each run is kept: the killed run's (line-buffered, so written up to the
    # kill) moved to make_run.1.log; neither holds terminal colour codes.
    killed_log, last_log = (ws.root / "make_run.1.log").read_text(), ws.log_file.read_text()
    assert "START sql view model staging.stg_daily_bars" in killed_log
    assert "Done. PASS=" not in killed_log and "Done. PASS=" in last_log
    assert "\x1b[" not in killed_log + last_log


def test_a_live_writer_is_waited_for_and_given_up_on_then_a_run_goes_ahead(
    tmp_path: Path, landing_dir: Path
) -> None:
    ws = make_workspace(tmp_path, landing_dir)
    # A run of a process that is alive (this test's), holding the writer slot.
    live = DagsterRun(
        job_name="build_warehouse",
        run_id=make_new_run_id(),
        status=DagsterRunStatus.STARTED,
        tags=process_tags(),
    )
    with instance_at(ws.dagster_home) as instance:
        instance.add_run(live)
        instance.event_log_storage.initialize_concurrency_limit_to_default(POOL)
        claim = instance.event_log_storage.claim_concurrency_slot(
            POOL, live.run_id, "ingest_entries"
        )
        assert claim.is_claimed
    holder = f"run {live.run_id[:8]} (make run, step ingest_entries)"

    with MakeRun(ws, WRITER_WAIT_SECONDS="4") as impatient:
        code = impatient.finish(RUN_SECONDS)
    out = impatient.output
    assert code == 3, out
    assert f"waiting for the warehouse writer slot, held by {holder}" in out
    assert (
        f"error: gave up after 4s waiting for the warehouse writer slot held by {holder} "
        "(WRITER_WAIT_SECONDS=4)" in out
    )
    assert "recovered" not in out and "running catalog_tables" not in out
    # Nothing was written and the live run was left alone.
    assert not ws.warehouse_db.exists() and not ws.serving_db.exists()
    assert not ws.archive_dir.exists()
    assert _only_run(ws.dagster_home).run_id == live.run_id
    with instance_at(ws.dagster_home) as instance:
        assert claimed_slots(instance) == [(live.run_id, "ingest_entries")]

    # The next run waits for the live writer as long as it holds the slot, then goes ahead.
    with MakeRun(ws) as patient:
        patient.wait_for(f"waiting for the warehouse writer slot, held by {holder}", 300)
        with instance_at(ws.dagster_home) as instance:
            instance.event_log_storage.free_concurrency_slots_for_run(live.run_id)
        code = patient.finish(RUN_SECONDS)
    out = patient.output
    assert code == 0, out
    assert "recovered" not in out and "published: build " in out
    with instance_at(ws.dagster_home) as instance:
        # A live run is never taken over or marked failed.
        live_now = instance.get_run_by_id(live.run_id)
        assert live_now is not None and live_now.status == DagsterRunStatus.STARTED
    assert current_build(ws.serving_db) is not None

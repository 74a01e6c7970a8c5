"""Issue 8.6: a lock looked like a data-quality failure.

A reader holding the private warehouse file while dbt ran made dbt tests (a unique combination
on stg_trading_sessions) report FAILED. Here a real process holds a copy of a built warehouse
read-only while only the dbt assets run (the real job, in process): the dbt step must fail as a
lock ("warehouse busy", naming the holder's PID) and no asset check may be reported as failed.
Once the reader lets go, the same dbt build succeeds.
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import duckdb
import pytest

import orchestration.dbt_assets as dbt_assets
from tests.e2e_support import BuildResult, build_warehouse
from tests.orchestration.conftest import SmallBuild
from tests.orchestration.support import (
    NVDA_CLOSE_2025_01_27,
    NVDA_CLOSE_SQL,
    READER_HOLDER,
    holding,
)

pytestmark = pytest.mark.e2e

DBT_KEYS = sorted(dbt_assets.dbt_models.keys, key=lambda key: key.path)
LOCK_TEXT = "Could not set lock"


def _dbt_only(db: Path, landing_dir: Path, small_build: SmallBuild, **env: str) -> BuildResult:
    return build_warehouse(
        db, landing_dir, small_build.series_file, extra_env=env, asset_selection=DBT_KEYS
    )


def _copy(small_build: SmallBuild, folder: Path) -> Path:
    db = folder / "warehouse.duckdb"
    shutil.copy(small_build.warehouse_db, db)
    return db


def test_a_reader_holding_the_file_fails_dbt_as_busy_never_as_failed_tests(
    tmp_path: Path, landing_dir: Path, small_build: SmallBuild
) -> None:
    db = _copy(small_build, tmp_path)
    with holding(READER_HOLDER, str(db), "read_only") as reader:
        held = _dbt_only(db, landing_dir, small_build, WRITER_WAIT_SECONDS="3")
    assert not held.success
    (failure,) = held.failures
    assert failure.startswith("dbt_models: ") and "warehouse busy: " in failure
    assert f"(PID {reader.pid})" in failure and "(WRITER_WAIT_SECONDS=3)" in failure
    assert held.failed_checks == []
    assert held.events_of("ASSET_CHECK_EVALUATION") == []  # dbt never started
    assert held.events_of("ASSET_MATERIALIZATION") == []

    # The reader let go: the very same dbt build succeeds, its tests evaluated and passing.
    # FULL=1: a real dbt build, not "nothing changed since the last build".
    free = _dbt_only(db, landing_dir, small_build, WRITER_WAIT_SECONDS="3", FULL="1")
    assert free.success, free.failures
    checks = free.events_of("ASSET_CHECK_EVALUATION")
    assert len(checks) > 100
    failed = [e.event_specific_data for e in checks if not e.event_specific_data.passed]
    assert [c.check_name for c in failed if c.severity.value == "ERROR"] == []
    # The very test the issue saw reported as FAILED ran, and passed.
    sessions = [
        e.event_specific_data.passed
        for e in checks
        if e.event_specific_data.check_name.startswith("unique_combination_stg_trading_sessions")
    ]
    assert sessions == [True]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from marts.dim_asset").fetchone()[0] == 3
        close = con.execute(NVDA_CLOSE_SQL).fetchone()[0]
    assert close == pytest.approx(NVDA_CLOSE_2025_01_27, abs=1e-3)


@pytest.fixture(scope="module")
def reader_came_after_preflight(
    tmp_path_factory: pytest.TempPathFactory, landing_dir: Path, small_build: SmallBuild
) -> tuple[BuildResult, int]:
    """The race the pre-flight cannot close: a reader opens the file right after the pre-flight
    let go of it and before dbt's own process opens it. The real pre-flight runs; when it closes
    its connection a reader process takes the file, and dbt starts only once the reader holds it."""
    db = _copy(small_build, tmp_path_factory.mktemp("reader_after_preflight"))
    real_connect = dbt_assets.connect_for_write
    readers: list[int] = []

    with contextlib.ExitStack() as stack:

        class _ThenAReader:
            """The pre-flight's real connection; closing it lets the reader in (once)."""

            def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
                self._con = con

            def __getattr__(self, name: str) -> object:
                return getattr(self._con, name)

            def close(self) -> None:
                self._con.close()
                if not readers:
                    reader = stack.enter_context(holding(READER_HOLDER, str(db), "read_only"))
                    readers.append(reader.pid)

        def preflight_then_reader(db_path: Path, wait_seconds: float | None = None) -> _ThenAReader:
            return _ThenAReader(real_connect(db_path, wait_seconds))

        monkeypatch = stack.enter_context(pytest.MonkeyPatch.context())
        monkeypatch.setattr(dbt_assets, "connect_for_write", preflight_then_reader)
        result = _dbt_only(db, landing_dir, small_build, WRITER_WAIT_SECONDS="3", FULL="1")
    assert len(readers) == 1, "the pre-flight must have run"
    return result, readers[0]


def test_dbt_hitting_a_reader_itself_reports_the_lock_not_failed_tests(
    reader_came_after_preflight: tuple[BuildResult, int],
) -> None:
    result, reader_pid = reader_came_after_preflight
    assert not result.success
    (failure,) = result.failures
    assert failure.startswith("dbt_models: ")
    # A lock, named as such with its holder (dbt's own error or the step's busy error).
    assert LOCK_TEXT in failure or "warehouse busy: " in failure
    assert f"(PID {reader_pid})" in failure
    assert result.failed_checks == []
    assert result.events_of("ASSET_MATERIALIZATION") == []

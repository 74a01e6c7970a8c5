"""Issue 8.6, the other way round: an error inside the dbt step must not turn into a lock.

Found while testing a kill during dbt: Dagster's manifest lacked a test another engineer had
just added, dagster-dbt raised KeyError on its event, and the step then waited the whole
WRITER_WAIT_SECONDS for its *own* dbt process and failed as "warehouse busy ... held by <that
dbt>", the KeyError hidden. dagster-dbt's ``_stream_stdout`` catches GeneratorExit with a bare
``except:`` ("generator ignored GeneratorExit"), so an abandoned dbt process keeps the file open,
blocked on a stdout pipe nobody reads. ``dbt_models`` now ends its dbt process when streaming
stops; here any error while streaming dbt's events stands in for that KeyError.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
from pathlib import Path

import pytest

import orchestration.dbt_assets as dbt_assets
from tests.e2e_support import build_warehouse
from tests.orchestration.conftest import SmallBuild
from tests.orchestration.support import DBT_BUILD_COMMAND, cmdline, live_processes

pytestmark = pytest.mark.e2e

DBT_KEYS = sorted(dbt_assets.dbt_models.keys, key=lambda key: key.path)
CAUSE = "simulated failure while streaming dbt events"


def _own_dbt_processes() -> list[int]:
    """dbt processes started by this test process (dagster-dbt runs dbt as a child)."""
    return [
        pid
        for pid, fields in live_processes()
        if int(fields[1]) == os.getpid() and DBT_BUILD_COMMAND in cmdline(pid)
    ]


# dagster-dbt's own generator complains when closed (its bare except); that is the known cause.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_an_error_while_streaming_dbt_ends_dbt_and_is_reported_as_itself(
    tmp_path: Path, landing_dir: Path, small_build: SmallBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(small_build.warehouse_db, db)

    def failing_status(check: object) -> str:
        raise RuntimeError(CAUSE)

    # Called on dbt's first test result, while dbt still has most of the build to do.
    monkeypatch.setattr(dbt_assets, "_status", failing_status)
    left_running: list[int] = []
    try:
        result = build_warehouse(
            db,
            landing_dir,
            small_build.series_file,
            extra_env={"WRITER_WAIT_SECONDS": "3", "FULL": "1"},
            asset_selection=DBT_KEYS,
        )
        left_running = _own_dbt_processes()
    finally:
        for pid in _own_dbt_processes():  # never leave a dbt holding the file behind
            os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)  # our child: reap it at once
    assert not result.success
    (failure,) = result.failures
    assert left_running == [], f"dbt still running after its step ended: {failure}"
    assert CAUSE in failure and "warehouse busy" not in failure

"""Issue 8.1 / 8.6 at the lowest level: ``ingest.warehouse.writer`` against other processes.

The fault was a writer that waited silently and forever on whoever held the file. Now a writer
says what it waits for (the pipeline writer's PID from the lock file, or the PID DuckDB names)
and gives up after WRITER_WAIT_SECONDS with WarehouseBusyError; a lock whose holder was killed
is free at once, because the operating system drops a dead process's flock.
"""

from __future__ import annotations

import logging
import os
import signal
from pathlib import Path

import duckdb
import pytest

import ingest.warehouse
from ingest.errors import WarehouseBusyError
from ingest.warehouse import is_lock_error, lock_file_path, writer
from tests.orchestration.support import (
    FLOCK_HOLDER,
    PROCESS_EXIT_SECONDS,
    READER_HOLDER,
    holding,
)

# A writer killed in the middle of a transaction: committed rows must survive, the rest not.
KILLED_MID_TRANSACTION = """
import sys
from pathlib import Path

from ingest.warehouse import writer

with writer(Path(sys.argv[1]), wait_seconds=0) as con:
    con.execute("create table t as select 1 as committed")
    con.execute("begin")
    con.execute("insert into t values (2)")
    print("holding", flush=True)
    sys.stdin.read()
"""


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table marker as select 42 as answer")
    return path


def test_a_pipeline_writer_holding_the_lock_is_named_and_given_up_on(
    db: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("WRITER_WAIT_SECONDS", "1")
    # Report on every poll, so the progress line is checked without depending on timing.
    monkeypatch.setattr(ingest.warehouse, "PROGRESS_EVERY_SECONDS", 0.0)
    with (
        holding(FLOCK_HOLDER, str(db)) as holder,
        caplog.at_level(logging.WARNING, logger="ingest.warehouse"),
        pytest.raises(WarehouseBusyError) as busy,
        writer(db),
    ):
        pytest.fail("the writer must not get the lock while another writer holds it")
    message = str(busy.value)
    assert message.startswith(f"warehouse busy: {db} is held by pipeline writer PID {holder.pid}")
    assert "(WRITER_WAIT_SECONDS=1)" in message
    progress = [r.getMessage() for r in caplog.records if r.name == "ingest.warehouse"]
    assert progress and all(
        f"held by pipeline writer PID {holder.pid}" in line for line in progress
    )
    assert progress[0].startswith(f"waiting for {db.name}: ")


@pytest.mark.parametrize("mode", ["read_only", "read_write"])
def test_a_foreign_duckdb_connection_is_named_by_its_pid(
    db: Path, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    monkeypatch.setenv("WRITER_WAIT_SECONDS", "1")
    with holding(READER_HOLDER, str(db), mode) as holder:
        with pytest.raises(WarehouseBusyError) as busy, writer(db):
            pytest.fail("DuckDB must refuse a second process while the holder has the file")
        # The pipeline's own lock was taken and given back: only DuckDB's lock blocked us.
        with ingest.warehouse.writer_lock(db, wait_seconds=0):
            pass
    message = str(busy.value)
    assert message.startswith("warehouse busy: ")
    assert f"(PID {holder.pid})" in message
    assert is_lock_error(busy.value.__context__), "the cause must be DuckDB's lock error"
    with writer(db, wait_seconds=0) as con:  # the holder let go: no waiting at all
        assert con.execute("select answer from marker").fetchone() == (42,)


def test_the_lock_of_a_killed_writer_is_free_at_once(db: Path) -> None:
    with holding(FLOCK_HOLDER, str(db)) as holder:
        # The fault's precondition: the lock really is held.
        busy = pytest.raises(WarehouseBusyError, match=f"pipeline writer PID {holder.pid}")
        with busy, writer(db, wait_seconds=0):
            pass
        os.kill(holder.pid, signal.SIGKILL)
        assert holder.wait(timeout=PROCESS_EXIT_SECONDS) == -signal.SIGKILL
        # Its lock file still names the dead writer, but the lock itself died with it.
        assert lock_file_path(db).read_text().split()[0] == str(holder.pid)
        with writer(db, wait_seconds=0) as con:
            assert con.execute("select answer from marker").fetchone() == (42,)
    assert lock_file_path(db).read_text().split()[0] == str(os.getpid())


def test_a_writer_killed_mid_transaction_leaves_a_usable_file(db: Path) -> None:
    with holding(KILLED_MID_TRANSACTION, str(db)) as holder:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=PROCESS_EXIT_SECONDS)
        with writer(db, wait_seconds=0) as con:
            assert con.execute("select * from t").fetchall() == [(1,)]
            assert con.execute("select answer from marker").fetchone() == (42,)

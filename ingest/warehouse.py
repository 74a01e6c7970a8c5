"""Short-lived, serialised DuckDB connections to the warehouse file.

DuckDB allows one writer process; a reader holding the file blocks it. Every write goes
through ``writer()``, which takes an exclusive file lock beside the database first, so two
processes (``make run`` and the UI, say) queue instead of failing with a lock error.
"""

from __future__ import annotations

import fcntl
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

log = logging.getLogger(__name__)


@contextmanager
def writer(db_path: Path, wait_log_seconds: float = 5.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """Exclusive write connection: lock file first, then DuckDB; both released on exit."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = db_path.with_name(db_path.name + ".writer.lock.file")
    with open(lock_path, "w") as lock_file:
        started = time.monotonic()
        while True:
            try:
                fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() - started > wait_log_seconds:
                    log.info("waiting for another writer to release %s", db_path)
                    started = time.monotonic()
                time.sleep(0.1)
        try:
            con = duckdb.connect(str(db_path))
            try:
                yield con
            finally:
                con.close()
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


@contextmanager
def reader(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Read-only connection, closed promptly so it never blocks the next writer for long."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        yield con
    finally:
        con.close()

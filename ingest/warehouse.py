"""Short-lived, serialised DuckDB connections to the private warehouse file.

DuckDB allows one writer process, and a reader holding the file blocks it. Every pipeline write
goes through ``writer()``: an exclusive ``flock`` beside the database first (the operating system
releases it when its process dies, so a killed run never leaves it behind), then the DuckDB
connection. Both waits say what they wait for every few seconds and give up after
``WRITER_WAIT_SECONDS`` with ``WarehouseBusyError``: a lock is reported as a lock, never as a
data problem. Readers (BI tools, SQL users) never open this file: they read the published copy
(``SERVING_DB``).
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from ingest.config import number_setting
from ingest.errors import WarehouseBusyError

log = logging.getLogger(__name__)

DEFAULT_WAIT_SECONDS = 600.0
PROGRESS_EVERY_SECONDS = 5.0
POLL_SECONDS = 0.2
# DuckDB: 'Could not set lock on file "...": Conflicting lock is held in /usr/bin/x (PID 123) ...'
_DUCKDB_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


def wait_seconds_setting() -> float:
    """How long a writer waits for the warehouse before giving up (env WRITER_WAIT_SECONDS)."""
    return number_setting("WRITER_WAIT_SECONDS", DEFAULT_WAIT_SECONDS)


def lock_file_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".writer.lock.file")


def is_lock_error(exc: BaseException) -> bool:
    """A DuckDB error that means another process holds the file (not a data problem)."""
    text = str(exc)
    return "Could not set lock" in text or "Conflicting lock" in text


def describe_duckdb_holder(exc: BaseException) -> str:
    match = _DUCKDB_HOLDER.search(str(exc))
    if not match:
        return "another process"
    return f"{match['program']} (PID {match['pid']})"


def _describe_flock_holder(lock_path: Path) -> str:
    try:
        owner = lock_path.read_text().split()
    except OSError:
        owner = []
    if not owner:
        return "another pipeline writer"
    return f"pipeline writer PID {owner[0]}" + (f" on {owner[1]}" if len(owner) > 1 else "")


class _Waiter:
    """Polls until ``attempt`` succeeds, logging progress; raises WarehouseBusyError at the deadline."""

    def __init__(self, db_path: Path, wait_seconds: float | None) -> None:
        self.db_path = db_path
        self.wait_seconds = wait_seconds_setting() if wait_seconds is None else wait_seconds
        self.started = time.monotonic()
        self.last_report = self.started

    def tick(self, holder: str) -> None:
        now = time.monotonic()
        waited = now - self.started
        if waited >= self.wait_seconds:
            raise WarehouseBusyError(
                f"warehouse busy: {self.db_path} is held by {holder}; gave up after "
                f"{waited:.0f}s (WRITER_WAIT_SECONDS={self.wait_seconds:g}). Readers should use the "
                "published copy (SERVING_DB), never the pipeline's own file."
            )
        if now - self.last_report >= PROGRESS_EVERY_SECONDS:
            log.warning(
                "waiting for %s: held by %s for %.0fs (giving up after %gs)",
                self.db_path.name,
                holder,
                waited,
                self.wait_seconds,
            )
            self.last_report = now
        time.sleep(POLL_SECONDS)


@contextmanager
def writer_lock(db_path: Path, wait_seconds: float | None = None) -> Iterator[None]:
    """Hold the pipeline's exclusive writer lock (a ``flock``) for the duration of the block."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = lock_file_path(db_path)
    waiter = _Waiter(db_path, wait_seconds)
    with open(lock_path, "a+") as lock_file:
        while True:
            try:
                fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waiter.tick(_describe_flock_holder(lock_path))
        try:
            lock_file.seek(0)
            lock_file.truncate()
            lock_file.write(f"{os.getpid()} {socket.gethostname()}\n")
            lock_file.flush()
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def connect_for_write(
    db_path: Path, wait_seconds: float | None = None
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-write, waiting (with progress) while a foreign process holds it."""
    waiter = _Waiter(db_path, wait_seconds)
    while True:
        try:
            return duckdb.connect(str(db_path))
        except duckdb.IOException as exc:
            if not is_lock_error(exc):
                raise
            waiter.tick(describe_duckdb_holder(exc))


@contextmanager
def writer(db_path: Path, wait_seconds: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """Exclusive write connection: lock file first, then DuckDB; both released on exit."""
    with writer_lock(db_path, wait_seconds):
        con = connect_for_write(db_path, wait_seconds)
        try:
            yield con
        finally:
            con.close()


@contextmanager
def reader(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Read-only connection, closed promptly so it never blocks the next writer for long."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        yield con
    finally:
        con.close()

"""Failed loads that could not be written because the warehouse was locked wait in a journal.

When a load fails because another process holds the warehouse (``WarehouseBusyError``), writing
its failure into ``raw.loads`` is impossible for the same reason. The failure goes to
``<db>.pending_loads.jsonl`` beside the database instead, one JSON object a line, and the next
pipeline write merges it into ``raw.loads``, so every failed load ends up there with its reason.
"""

from __future__ import annotations

import fcntl
import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import IO

import duckdb

from ingest.loader import FailedLoad, record_failure

log = logging.getLogger(__name__)

JOURNAL_LOCK_SECONDS = 10.0  # appends and merges hold the journal for milliseconds
_POLL_SECONDS = 0.05


def journal_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".pending_loads.jsonl")


@contextmanager
def _locked(path: Path) -> Iterator[IO[str]]:
    """The journal opened for read and append under an exclusive flock, waited for boundedly."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as handle:
        deadline = time.monotonic() + JOURNAL_LOCK_SECONDS
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise TimeoutError(
                        f"{path} stayed locked for {JOURNAL_LOCK_SECONDS}s"
                    ) from None
                time.sleep(_POLL_SECONDS)
        try:
            yield handle
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def append_failure(db_path: Path, failure: FailedLoad) -> None:
    """Keep a failure for the next write; never raises (the load has failed already)."""
    record = {**asdict(failure), "failed_at": failure.failed_at.isoformat()}
    try:
        with _locked(journal_path(db_path)) as handle:
            handle.write(json.dumps(record) + "\n")
    except (OSError, TimeoutError) as exc:
        log.error("could not journal the failure of %s: %s", failure.source_id, exc)


def _read(handle: IO[str]) -> list[FailedLoad]:
    handle.seek(0)
    failures = []
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            record["failed_at"] = datetime.fromisoformat(record["failed_at"])
            failures.append(FailedLoad(**record))
        except (ValueError, KeyError, TypeError) as exc:  # a line cut short by a crash
            log.warning("%s line %d skipped: %s", handle.name, number, type(exc).__name__)
    return failures


def merge_pending(con: duckdb.DuckDBPyConnection, db_path: Path) -> int:
    """Write journaled failures into raw.loads (caller holds the writer), then empty the journal.

    Merging twice is harmless: a failure never replaces a newer attempt of its source.
    """
    path = journal_path(db_path)
    if not path.exists() or path.stat().st_size == 0:
        return 0
    try:
        with _locked(path) as handle:
            failures = _read(handle)
            merged = sum(record_failure(con, failure) for failure in failures)
            handle.truncate(0)  # under the lock: an append never falls between read and reset
    except TimeoutError as exc:
        log.warning("pending failed loads not merged this time: %s", exc)
        return 0
    if failures:
        log.info("merged %d journaled failed load(s) into raw.loads", merged)
    return merged

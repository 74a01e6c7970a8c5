"""Readers never block a build and a build never breaks a reader (issue: serving the marts).

While `make run` (the real headless runner, in its own process) rebuilds and publishes, 20
clients query through the Postgres-wire endpoint and one reader holds the published DuckDB file;
afterwards a new connection sees the new build.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import psycopg
import pytest

from endpoint.launcher import RunningEndpoint, start_endpoint, stop_endpoint_process
from tests.e2e_support import clone_build, make_run
from tests.processes import new_reader_build_id

pytestmark = pytest.mark.e2e

CLIENTS = 20
BUILD_TIMEOUT_SECONDS = 900
# One statement per query, so each answer comes from one published build.
DASHBOARD_QUERIES = (
    "select (select build_id from meta.build_info), count(*), sum(car) from marts.fct_car "
    "where study_id = 'hacks_crypto'",
    "select (select build_id from meta.build_info), count(*), sum(flow_usd) "
    "from marts.fct_etf_flow_daily where product = 'BTC' and date = '2025-02-25'",
    "select (select build_id from meta.build_info), count(*), sum(loss_usd) "
    "from marts.fct_hack_monthly",
)


@dataclass
class Readers:
    """Clients querying in a loop until told to stop; every error is kept."""

    stop: threading.Event = field(default_factory=threading.Event)
    builds: Counter = field(default_factory=Counter)
    answers: dict[tuple[str, int], tuple] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    queries: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, query_index: int, row: tuple) -> None:
        build = row[0]
        with self.lock:
            self.queries += 1
            self.builds[build] += 1
            # Within one build, the same query always gets the same answer.
            known = self.answers.setdefault((build, query_index), row)
            if known != row:
                self.errors.append(f"build {build} answered {row} and {known}")

    def fail(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)


def _endpoint_client(endpoint: RunningEndpoint, readers: Readers, number: int) -> None:
    try:
        with psycopg.connect(endpoint.dsn(), autocommit=True) as con:
            i = number
            while not readers.stop.is_set():
                index = i % len(DASHBOARD_QUERIES)
                readers.record(index, con.execute(DASHBOARD_QUERIES[index]).fetchone())
                i += 1
    except Exception as exc:  # noqa: BLE001 - every failure is a test failure, reported below
        readers.fail(f"endpoint client {number}: {type(exc).__name__}: {exc}")


def _file_reader(serving_db: Path, readers: Readers) -> None:
    """A BI tool holding the published DuckDB file open for the whole build."""
    try:
        with duckdb.connect(str(serving_db), read_only=True) as con:
            while not readers.stop.is_set():
                readers.record(0, con.execute(DASHBOARD_QUERIES[0]).fetchone())
                readers.stop.wait(0.05)
    except Exception as exc:  # noqa: BLE001
        readers.fail(f"file reader: {type(exc).__name__}: {exc}")


def _make_run(folder: Path, landing_dir: Path) -> subprocess.CompletedProcess:
    """`make run` as a user runs it, forced to rebuild everything."""
    return make_run(
        folder / "warehouse.duckdb", landing_dir, timeout=BUILD_TIMEOUT_SECONDS, FULL="1"
    )


def test_readers_keep_working_while_make_run_rebuilds_and_publishes(
    built_warehouse: Path, landing_dir: Path, tmp_path: Path
) -> None:
    folder = clone_build(built_warehouse, tmp_path / "clone")
    serving_db = folder / "serving" / "warehouse.duckdb"
    before = new_reader_build_id(serving_db)

    endpoint = start_endpoint(serving_db, tmp_path)
    readers = Readers()
    threads = [
        threading.Thread(target=_endpoint_client, args=(endpoint, readers, n), daemon=True)
        for n in range(CLIENTS)
    ]
    threads.append(threading.Thread(target=_file_reader, args=(serving_db, readers), daemon=True))
    try:
        for thread in threads:
            thread.start()
        run = _make_run(folder, landing_dir)
        after = new_reader_build_id(serving_db)
        # Keep querying a little after the publish, so clients cross over to the new build.
        deadline = time.monotonic() + 60
        while readers.builds[after] < CLIENTS and time.monotonic() < deadline:
            readers.stop.wait(0.2)
        with psycopg.connect(endpoint.dsn(), autocommit=True) as con:
            seen_by_new_connection = con.execute("select build_id from meta.build_info").fetchone()
    finally:
        readers.stop.set()
        for thread in threads:
            thread.join(timeout=60)
        stop_endpoint_process(endpoint.process)

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "published: build" in run.stdout
    assert after != before
    assert readers.errors == []
    assert readers.queries > 10 * CLIENTS
    assert set(readers.builds) == {before, after}, readers.builds
    # New connections, through the endpoint and on the file, see the new build.
    assert seen_by_new_connection == (after,)
    assert new_reader_build_id(serving_db) == after

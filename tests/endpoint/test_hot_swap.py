"""Re-publishing while 20 clients run dashboard queries: no failed query, every answer from one
complete build, transactions pinned to their build, the newest build picked up without restart.

The publish step is simulated as it works: a complete copy written beside SERVING_DB, then
``os.replace`` over it. (The lead's end-to-end test does the same with a real `make run`.)
"""

from __future__ import annotations

import os
import shutil
import threading
from collections import Counter
from pathlib import Path

import duckdb
import psycopg
import pytest

from tests.endpoint.conftest import copy_of
from tests.endpoint.readme_queries import readme_queries
from tests.endpoint.support import RunningEndpoint, start_endpoint, stop_endpoint_process
from tests.endpoint.test_psycopg import normalised

CLIENTS = 20
SWAPS = 6
ANSWERS_PER_BUILD = 40  # answers each newly served build must give before the next swap
WAIT_SECONDS = 60
BUILD_AND_COUNT = (
    "select (select build_id from meta.build_info) as build, count(*) from marts.fct_car"
)


def _make_next_build(published: Path, folder: Path) -> Path:
    """A second complete build: its own build_id, and the FOMC study's CARs gone."""
    target = copy_of(published, folder)
    with duckdb.connect(str(target)) as con:
        con.execute("update meta.build_info set build_id = build_id || '-next'")
        con.execute("delete from marts.fct_car where study_id = 'fomc_days'")
        con.execute("checkpoint")
    return target


def _answers(path: Path) -> dict[str, object]:
    with duckdb.connect(str(path), read_only=True) as con:
        build, count = con.execute(BUILD_AND_COUNT).fetchone()
        queries = {
            q: normalised(con.execute(q).fetchall(), "order by" in q.lower())
            for q in readme_queries()
        }
    return {"build": build, "count": count, "queries": queries}


class Swapper:
    def __init__(self, serving_db: Path):
        self.serving_db = serving_db

    def publish(self, source: Path) -> None:
        staged = self.serving_db.with_name(".warehouse.duckdb.staged")
        shutil.copyfile(source, staged)
        os.replace(staged, self.serving_db)


@pytest.fixture(scope="module")
def builds(published_copy, tmp_path_factory):
    first = copy_of(published_copy, tmp_path_factory.mktemp("build_a"))
    second = _make_next_build(published_copy, tmp_path_factory.mktemp("build_b"))
    return {"a": first, "b": second, "answers": {"a": _answers(first), "b": _answers(second)}}


@pytest.fixture()
def swapping_endpoint(builds, tmp_path) -> RunningEndpoint:
    serving = copy_of(builds["a"], tmp_path / "serving")
    running = start_endpoint(serving, tmp_path)
    yield running
    stop_endpoint_process(running.process)


def _wait_for_build(endpoint: RunningEndpoint, build: str) -> None:
    """Poll (bounded) until a new connection's statements are answered by ``build``."""
    with psycopg.connect(endpoint.dsn(), autocommit=True) as monitor:
        for _ in range(int(WAIT_SECONDS / 0.05)):
            if monitor.execute("select build_id from meta.build_info").fetchone()[0] == build:
                return
            threading.Event().wait(0.05)
    raise AssertionError(f"the endpoint did not serve build {build} within {WAIT_SECONDS}s")


def test_twenty_clients_while_republishing(builds, swapping_endpoint):
    answers = builds["answers"]
    by_build = {answers[k]["build"]: answers[k] for k in ("a", "b")}
    assert answers["a"]["count"] - answers["b"]["count"] == 288  # FOMC: 288 CAR rows
    stop = threading.Event()
    lock = threading.Lock()
    failures: list[str] = []
    answered: Counter[str] = Counter()

    def client(number: int) -> None:
        queries = readme_queries()
        in_transactions = number % 2 == 0
        try:
            with psycopg.connect(swapping_endpoint.dsn(), autocommit=not in_transactions) as conn:
                turn = 0
                while not stop.is_set():
                    build, count = conn.execute(BUILD_AND_COUNT).fetchone()
                    problem = None if by_build[build]["count"] == count else f"{build}: {count}"
                    if in_transactions:  # several statements, one build
                        query = queries[turn % len(queries)]
                        rows = conn.execute(query).fetchall()
                        again = conn.execute("select build_id from meta.build_info").fetchone()[0]
                        ordered = "order by" in query.lower()
                        if again != build:
                            problem = f"transaction moved from {build} to {again}"
                        elif normalised(rows, ordered) != by_build[build]["queries"][query]:
                            problem = f"{build}: wrong answer to {query[:40]}"
                        conn.commit()
                    with lock:
                        answered[build] += 1
                        if problem:
                            failures.append(problem)
                    turn += 1
        except Exception as error:  # any failed query fails the test
            with lock:
                failures.append(f"client {number}: {type(error).__name__}: {error}")

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    swapper = Swapper(swapping_endpoint.serving_db)
    try:
        for swap in range(SWAPS):
            target = "b" if swap % 2 == 0 else "a"
            build = answers[target]["build"]
            with lock:
                before = answered[build]
            swapper.publish(builds[target])
            _wait_for_build(swapping_endpoint, build)
            for _ in range(int(WAIT_SECONDS / 0.05)):
                with lock:
                    if answered[build] - before >= ANSWERS_PER_BUILD or failures:
                        break
                threading.Event().wait(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join(WAIT_SECONDS)
    assert not failures, failures[:5]
    assert all(not thread.is_alive() for thread in threads)
    assert answered[answers["a"]["build"]] >= ANSWERS_PER_BUILD
    assert answered[answers["b"]["build"]] >= ANSWERS_PER_BUILD
    # Superseded versions were closed once their last session moved on.
    swapping_endpoint.wait_for_log("closed build")


def test_transaction_keeps_its_build_across_a_publish(builds, swapping_endpoint):
    answers = builds["answers"]
    old, new = answers["a"], answers["b"]
    with psycopg.connect(swapping_endpoint.dsn()) as pinned:
        assert pinned.execute(BUILD_AND_COUNT).fetchone() == (old["build"], old["count"])
        Swapper(swapping_endpoint.serving_db).publish(builds["b"])
        _wait_for_build(swapping_endpoint, new["build"])
        # Still inside the transaction: the replaced file's version answers, fully.
        assert pinned.execute(BUILD_AND_COUNT).fetchone() == (old["build"], old["count"])
        query = readme_queries()[3]  # CARs not contaminated by overlapping events
        assert normalised(pinned.execute(query).fetchall(), False) == old["queries"][query]
        pinned.commit()
        # The next transaction moves to the newest build.
        assert pinned.execute(BUILD_AND_COUNT).fetchone() == (new["build"], new["count"])
        pinned.commit()

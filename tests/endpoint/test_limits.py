"""Every query is bounded: statement timeout, memory limit and the protocol's CancelRequest all
end a runaway query with a Postgres error while other clients keep working."""

from __future__ import annotations

import threading

import psycopg
import pytest

from tests.endpoint.conftest import copy_of
from tests.endpoint.support import RunningEndpoint, start_endpoint, stop_endpoint_process

# Scans 10^12 rows: minutes of work, so only a limit ends it.
RUNAWAY = "select count(*) from range(1000000000000) t where t.range % 7 = 3"
# Builds one string of about 1 GB, well above the memory limit below.
MEMORY_HOG = "select length(string_agg(repeat('x', 1000), ',')) from range(1000000)"
JOIN_SECONDS = 60


@pytest.fixture(scope="module")
def limited(published_copy, tmp_path_factory) -> RunningEndpoint:
    folder = tmp_path_factory.mktemp("limited")
    running = start_endpoint(
        copy_of(published_copy, folder),
        folder,
        {"SERVE_STATEMENT_TIMEOUT": "2", "SERVE_MEMORY_LIMIT": "300MB"},
    )
    yield running
    stop_endpoint_process(running.process)


def _run_in_thread(dsn: str, query: str):
    """Run ``query`` on its own connection in a thread; then, once allowed, a follow-up query."""
    outcome: dict[str, object] = {}
    ready, query_done, may_go_on = threading.Event(), threading.Event(), threading.Event()

    def work() -> None:
        with psycopg.connect(dsn, autocommit=True) as connection:
            outcome["connection"] = connection
            ready.set()
            try:
                outcome["rows"] = connection.execute(query).fetchall()
            except psycopg.Error as error:
                outcome["error"] = error
            query_done.set()
            may_go_on.wait(JOIN_SECONDS)
            for _ in range(3):  # a CancelRequest is asynchronous: a late one may still land
                try:
                    outcome["after"] = connection.execute("select 1").fetchone()
                    break
                except psycopg.errors.QueryCanceled:
                    continue

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    assert ready.wait(JOIN_SECONDS)
    return thread, outcome, query_done, may_go_on


def test_statement_timeout_cancels_runaway_and_others_keep_working(limited):
    thread, outcome, _, may_go_on = _run_in_thread(limited.dsn(), RUNAWAY)
    may_go_on.set()
    with psycopg.connect(limited.dsn(), autocommit=True) as other:
        for _ in range(5):
            rows = other.execute(
                "select window_start, window_end from marts.fct_car where study_id = "
                "'hacks_crypto' and event_id = 'bybit_hack' and asset_id = 'btc' order by 1, 2"
            ).fetchall()
            assert rows == [(-1, 1), (0, 0), (0, 5)]
    thread.join(JOIN_SECONDS)
    assert not thread.is_alive()
    error = outcome["error"]
    assert error.sqlstate == "57014" and "statement timeout" in str(error)
    assert outcome["after"] == (1,)
    limited.wait_for_log("canceled pid=")


def test_memory_limit_refuses_memory_hog(limited):
    with psycopg.connect(limited.dsn(), autocommit=True) as connection:
        with pytest.raises(psycopg.Error) as refused:
            connection.execute(MEMORY_HOG)
        assert refused.value.sqlstate == "53200"
        assert "SERVE_MEMORY_LIMIT" in (refused.value.diag.message_hint or "")
        assert connection.execute("select count(*) from marts.dim_event").fetchone()[0] > 0


def test_cancel_request_interrupts_the_query(endpoint):
    """On the default endpoint (30 s bound), so only the CancelRequest can end the query early."""
    thread, outcome, query_done, may_go_on = _run_in_thread(endpoint.dsn(), RUNAWAY)
    connection = outcome["connection"]
    for _ in range(300):  # a cancel that lands before the query starts is a no-op: repeat
        connection.cancel_safe(timeout=5)
        if query_done.wait(0.2):
            break
    may_go_on.set()
    thread.join(JOIN_SECONDS)
    error = outcome["error"]
    assert error.sqlstate == "57014" and "user request" in str(error)
    assert outcome["after"] == (1,)

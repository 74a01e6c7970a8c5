"""Issue 8.6 (ingest): a load that fails while another process holds the warehouse is recorded.

Another process holds the file with a real DuckDB connection. ``writer()`` gives up at once
(``WRITER_WAIT_SECONDS=0``) with WarehouseBusyError; the failure cannot be written into
raw.loads for the same reason, so it waits in ``<db>.pending_loads.jsonl`` and the next write
merges it. Every wait on the holder process is bounded.
"""

from __future__ import annotations

import json
import select
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ingest.config import Settings
from ingest.load_journal import journal_path
from ingest.pipeline import ingest_entry
from tests.ingest.workspace import catalog_of, make_workspace, query, scalar

IBIT_FILE = "equities/adjclose_IBIT.csv"
FBTC_FILE = "equities/adjclose_FBTC.csv"
CATALOG = f"""
- id: ibit
  asset_class: etf
  calendar: XNYS
  landing: {{path: {IBIT_FILE}, format: yahoo_csv, last_row_intraday: true}}
- id: fbtc
  asset_class: etf
  calendar: XNYS
  landing: {{path: {FBTC_FILE}, format: yahoo_csv, last_row_intraday: true}}
"""
IBIT = "ibit:adjclose_IBIT"
STARTUP_SECONDS = 60  # the holder imports duckdb and opens the file
EXIT_SECONDS = 30

HOLDER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
sys.stdin.read()  # until the test closes our stdin
con.close()
"""


@contextmanager
def held(db_path: Path) -> Iterator[None]:
    """Another process holds ``db_path`` open read-write until the block ends."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        ready, _, _ = select.select([proc.stdout], [], [], STARTUP_SECONDS)
        assert ready and proc.stdout.readline().strip() == "holding", "holder did not start"
        yield
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=EXIT_SECONDS)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=EXIT_SECONDS)


@pytest.fixture
def settings(tmp_path: Path, landing_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    settings = make_workspace(tmp_path, landing_dir, monkeypatch, [IBIT_FILE, FBTC_FILE], CATALOG)
    monkeypatch.setenv("WRITER_WAIT_SECONDS", "0")  # give up at the first refusal: no timing
    assert not ingest_entry(settings, catalog_of(settings).get("ibit")).failed
    return settings


def _journal(settings: Settings) -> list[dict]:
    path = journal_path(settings.warehouse_db)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _ibit_load(settings: Settings) -> tuple:
    return query(settings, "select status, message from raw.loads where source_id = ?", [IBIT])[0]


def test_a_load_failing_on_the_lock_is_journaled_then_recorded(settings: Settings) -> None:
    catalog = catalog_of(settings)
    with held(settings.warehouse_db):
        report = ingest_entry(settings, catalog.get("ibit"))
        assert report.failed[0].message.startswith("warehouse busy: ")
        assert [(r["source_id"], r["message"][:16]) for r in _journal(settings)] == [
            (IBIT, "warehouse busy: ")
        ]

    assert not ingest_entry(settings, catalog.get("fbtc")).failed  # the next write merges
    status, message = _ibit_load(settings)
    assert status == "failed" and message == report.failed[0].message
    assert "held by" in message  # says who held it: a lock, not a data problem
    assert _journal(settings) == []
    ibit_rows = "select count(*) from raw.daily_bars where series_id = 'ibit'"
    assert scalar(settings, ibit_rows) == 640  # the last good rows stay


def test_a_data_failure_while_locked_keeps_its_own_reason(settings: Settings) -> None:
    path = settings.landing_dir / IBIT_FILE
    path.write_text(path.read_text().replace("Date,Close", "When,Close", 1))
    catalog = catalog_of(settings)
    with held(settings.warehouse_db):
        report = ingest_entry(settings, catalog.get("ibit"))
    data_message = report.failed[0].message
    assert "missing column 'Date'" in data_message and "busy" not in data_message

    assert not ingest_entry(settings, catalog.get("fbtc")).failed
    assert _ibit_load(settings) == ("failed", data_message)


def test_a_journaled_failure_never_hides_a_later_success(settings: Settings) -> None:
    catalog = catalog_of(settings)
    with held(settings.warehouse_db):
        assert ingest_entry(settings, catalog.get("ibit")).failed
    assert len(_journal(settings)) == 1

    assert not ingest_entry(settings, catalog.get("ibit")).failed  # merges, then loads
    assert _ibit_load(settings) == ("loaded", None)
    assert _journal(settings) == []


def test_a_journal_line_cut_short_by_a_crash_is_skipped(settings: Settings) -> None:
    catalog = catalog_of(settings)
    with held(settings.warehouse_db):
        failed = ingest_entry(settings, catalog.get("ibit")).failed[0]
    path = journal_path(settings.warehouse_db)
    path.write_text(path.read_text() + '{"source_id": "fbtc:adjclose_FBTC", "series_')

    assert not ingest_entry(settings, catalog.get("fbtc")).failed
    assert _ibit_load(settings) == ("failed", failed.message)
    fbtc_load = "select status from raw.loads where source_id = 'fbtc:adjclose_FBTC'"
    assert scalar(settings, fbtc_load) == "loaded"
    assert _journal(settings) == []

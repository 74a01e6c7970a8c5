"""The closing summary of `make run` must survive a held warehouse file (issue 8.6).

Seen in a real run: the dbt step's own, abandoned dbt process still held the file when
``orchestration.run`` printed its summary, and ``_summary`` let DuckDB's lock error escape, so
the run ended in a traceback: no row counts, no failed sources, no line saying which build
readers keep. A lock must be reported as a lock there too.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

import duckdb
import pytest

from orchestration.run import _summary
from tests.orchestration.support import READER_HOLDER, holding


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.rejects (source_id varchar, reason varchar)")
        con.execute("create table raw.loads (source_id varchar, status varchar, message varchar)")
        con.execute("insert into raw.loads values ('nvda:yf_NVDA', 'loaded', null)")
    return path


def test_the_summary_counts_rows(db: Path) -> None:
    text = _summary(db, 1.0)
    assert "raw.loads" in text and "rejected rows: 0" in text


def test_the_summary_names_a_process_holding_the_file_instead_of_crashing(db: Path) -> None:
    with holding(READER_HOLDER, str(db), "read_write") as holder:
        text = _summary(db, 1.0)
    assert f"(PID {holder.pid})" in text


def test_unrun_dbt_tests_are_counted_not_printed_one_by_one() -> None:
    """An incremental build leaves the dbt tests of unchanged models unrun; Dagster warns once
    per test (260 lines after one changed price file): make run counts them instead."""
    from orchestration.run import PLAN_LOGGER, UnrunChecks

    counter = UnrunChecks()
    logger = logging.getLogger(PLAN_LOGGER)
    logger.addFilter(counter)
    try:
        with _captured(logger) as records:
            logger.warning(
                "Blocking asset check 'staging/stg_hacks_slowmist:unique_stg_hacks_slowmist_hack_id' "
                "emitted no result in step 'dbt_models'; downstream step 'serving__warehouse' will "
                "proceed without gating on it."
            )
            logger.warning("Blocking asset check 'x:y' emitted no result in step 'ingest_entries'")
    finally:
        logger.removeFilter(counter)
    assert counter.count == 1
    assert [r.getMessage() for r in records] == [
        "Blocking asset check 'x:y' emitted no result in step 'ingest_entries'"
    ]


@contextlib.contextmanager
def _captured(logger: logging.Logger):
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    logger.addHandler(handler)
    try:
        yield records
    finally:
        logger.removeHandler(handler)

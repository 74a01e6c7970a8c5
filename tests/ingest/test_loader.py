"""The loader: idempotent replace per source, row rules applied the same way for every parser."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ingest.archive import archive_payload
from ingest.loader import ensure_tables, replace_source
from ingest.parsers.base import ParseResult, Reject


def _bars(rows: list[tuple[str, float | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "series_id": "t",
            "bar_date": pd.to_datetime([r[0] for r in rows]),
            "open": None,
            "high": None,
            "low": None,
            "close": [r[1] for r in rows],
            "adj_close": None,
            "volume": None,
            "quote_volume": None,
            "dividends": None,
            "stock_splits": None,
            "is_perpetual": False,
            "source_line": range(2, len(rows) + 2),
        }
    )


@pytest.fixture
def con(tmp_path: Path):
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_tables(connection)
    yield connection
    connection.close()


def _load(con, tmp_path: Path, frame: pd.DataFrame, rejects=None, content: bytes = b"x"):
    payload = archive_payload(content, "test.csv", tmp_path / "archive")
    return replace_source(
        con,
        dataset_name="daily_bars",
        source_id="t:test",
        series_id="t",
        payloads=[payload],
        result=ParseResult(frame, rejects or []),
    )


def test_rules_reject_with_reasons(con, tmp_path: Path) -> None:
    frame = _bars(
        [
            ("2025-01-02", 10.0),
            ("2025-01-03", -1.0),  # non-positive price
            ("2025-01-06", 11.0),
            ("2025-01-06", 11.0),  # identical copy: one kept
            ("2025-01-07", 12.0),
            ("2025-01-07", 13.0),  # conflicting duplicate: both rejected
            ("2025-01-08", None),  # no close
        ]
    )
    outcome = _load(con, tmp_path, frame, [Reject(9, "Close", "unparseable number", "abc")])
    assert outcome.rows_loaded == 2
    rejects = con.execute(
        "select line, column_name, reason from raw.rejects order by line, reason"
    ).fetchall()
    assert rejects == [
        (3, "close", "non-positive price"),
        (5, None, "duplicate row (identical copy)"),
        (6, "series_id,bar_date", "duplicate key with conflicting values (lines 6, 7)"),
        (7, "series_id,bar_date", "duplicate key with conflicting values (lines 6, 7)"),
        (8, "close", "close is missing"),
        (9, "Close", "unparseable number"),
    ]
    loaded = con.execute(
        "select bar_date::varchar, close from raw.daily_bars order by 1"
    ).fetchall()
    assert loaded == [("2025-01-02", 10.0), ("2025-01-06", 11.0)]


def test_reload_replaces_rows_of_the_source_only(con, tmp_path: Path) -> None:
    _load(con, tmp_path, _bars([("2025-01-02", 10.0), ("2025-01-03", 11.0)]))
    _load(con, tmp_path, _bars([("2025-01-02", 10.0), ("2025-01-03", 11.0)]))
    assert con.execute("select count(*) from raw.daily_bars").fetchone()[0] == 2
    _load(con, tmp_path, _bars([("2025-01-02", 10.5)]), content=b"changed")
    assert con.execute("select close from raw.daily_bars").fetchall() == [(10.5,)]
    shas = con.execute("select payload_sha256 from raw.daily_bars").fetchall()
    assert len(shas[0][0]) == 64
    assert con.execute("select count(*) from raw.loads where status = 'loaded'").fetchone()[0] == 1


def test_failed_insert_rolls_back_and_keeps_previous_rows(con, tmp_path: Path) -> None:
    _load(con, tmp_path, _bars([("2025-01-02", 10.0)]))
    broken = _bars([("2025-01-02", 12.0)]).assign(close=["not a number"])
    with pytest.raises(Exception):  # noqa: B017 - any conversion error must roll back
        _load(con, tmp_path, broken, content=b"broken")
    assert con.execute("select close from raw.daily_bars").fetchall() == [(10.0,)]

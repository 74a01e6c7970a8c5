"""fred_csv: real FRED files read in place, plus the live/old header variants and bad input."""

from __future__ import annotations

import pandas as pd
import pytest

from ingest.datasets import DAILY_BARS
from ingest.errors import FileFormatError
from ingest.parsers import FORMATS
from ingest.parsers.base import ParseContext
from ingest.parsers.fred_csv import parse

BARS_COLUMNS = [*DAILY_BARS.column_names, "source_line"]


def _parse(payload: bytes, origin: str = "t.csv", **options: object):
    return parse(payload, ParseContext(origin=origin, series_id="s", options=dict(options)))


def test_registered() -> None:
    assert FORMATS["fred_csv"].parser is parse


def test_dtwexbgs_skips_holiday_blanks(read_landing) -> None:
    result = _parse(read_landing("fx/fred_DTWEXBGS.csv"), "fx/fred_DTWEXBGS.csv")
    frame = result.frame
    # 2,941 data rows, 131 of them empty (US bank holidays): dropped, not zero, not rejects.
    assert len(frame) == 2810
    assert result.rejects == []
    assert list(frame.columns) == BARS_COLUMNS
    assert frame["bar_date"].dtype == "datetime64[ns]"
    assert frame["close"].notna().all() and (frame["close"] > 0).all()
    assert frame["series_id"].eq("s").all() and not frame["is_perpetual"].any()
    assert frame[["open", "high", "low", "volume"]].isna().all().all()
    first, last = frame.iloc[0], frame.iloc[-1]
    assert (first["bar_date"], first["close"], first["source_line"]) == (
        pd.Timestamp("2015-01-02"),
        102.9027,
        2,
    )
    assert (last["bar_date"], last["close"], last["source_line"]) == (
        pd.Timestamp("2026-04-10"),
        118.8552,
        2942,
    )
    # MLK day 2024-01-15 is an empty cell in the file: no bar.
    assert pd.Timestamp("2024-01-15") not in set(frame["bar_date"])


def test_dgs10_deepseek_day(read_landing) -> None:
    result = _parse(read_landing("macro/fred_DGS10.csv"))
    frame = result.frame.set_index("bar_date")
    assert len(frame) == 2823 and result.rejects == []  # 2,945 rows, 122 holiday blanks
    assert frame.loc[pd.Timestamp("2025-01-27"), "close"] == 4.53


@pytest.mark.parametrize(
    ("path", "rows", "first", "last"),
    [
        ("fx/fred_DEXCHUS_values.csv", 11167, ("1981-01-02", 1.5341), ("2025-09-26", 7.1328)),
        ("macro/fred_DGS2_values.csv", 12329, ("1976-06-01", 7.26), ("2025-09-29", 3.63)),
        ("macro/fred_DFF_values.csv", 26024, ("1954-07-01", 1.13), ("2025-09-29", 4.09)),
    ],
)
def test_date_value_variant_with_crlf(read_landing, path, rows, first, last) -> None:
    result = _parse(read_landing(path), path)
    frame = result.frame
    assert len(frame) == rows and result.rejects == []
    assert (frame["bar_date"].iloc[0], frame["close"].iloc[0]) == (pd.Timestamp(first[0]), first[1])
    assert (frame["bar_date"].iloc[-1], frame["close"].iloc[-1]) == (pd.Timestamp(last[0]), last[1])
    assert frame["bar_date"].is_monotonic_increasing


def test_old_style_header_with_dot_for_missing() -> None:
    payload = b"DATE,DGS10\r\n2024-12-24,4.59\r\n2024-12-25,.\r\n2024-12-26,4.58\r\n"
    result = _parse(payload)
    assert result.rejects == []
    assert result.frame["bar_date"].tolist() == [
        pd.Timestamp("2024-12-24"),
        pd.Timestamp("2024-12-26"),
    ]
    assert result.frame["close"].tolist() == [4.59, 4.58]
    assert result.frame["source_line"].tolist() == [2, 4]


def test_live_fredgraph_layout() -> None:
    # What https://fred.stlouisfed.org/graph/fredgraph.csv?id=DGS10 returns today.
    payload = b"observation_date,DGS10\n2025-01-24,4.63\n2025-01-27,4.53\n2025-01-28,\n"
    frame = _parse(payload).frame
    assert frame["close"].tolist() == [4.63, 4.53]


def test_garbage_value_is_one_reject_on_its_line() -> None:
    payload = b"observation_date,DGS10\n2025-01-24,4.63\n2025-01-27,4.5x3\n2025-01-29,4.55\n"
    result = _parse(payload)
    assert len(result.frame) == 2
    assert len(result.rejects) == 1
    reject = result.rejects[0]
    assert (reject.line, reject.column, reject.raw_value) == (3, "DGS10", "4.5x3")


def test_bad_date_is_a_reject() -> None:
    result = _parse(b"date,value\n2025-13-01,1.0\n2025-01-02,1.1\n")
    assert [(r.line, r.column) for r in result.rejects] == [(2, "date")]
    assert len(result.frame) == 1


def test_missing_date_column_names_it() -> None:
    with pytest.raises(FileFormatError) as err:
        _parse(b"when,DGS10\n2025-01-24,4.63\n", "macro/x.csv")
    assert err.value.column == "observation_date" and err.value.line == 1
    assert "observation_date" in str(err.value) and "macro/x.csv" in str(err.value)


def test_several_series_need_value_column() -> None:
    payload = b"observation_date,DGS2,DGS10\n2025-01-27,4.2,4.53\n"
    with pytest.raises(FileFormatError, match="value_column"):
        _parse(payload)
    frame = _parse(payload, value_column="DGS10").frame
    assert frame["close"].tolist() == [4.53]


def test_html_error_page_is_a_file_error() -> None:
    with pytest.raises(FileFormatError):
        _parse(b"<!DOCTYPE html><html><body>Series does not exist.</body></html>\n")


def test_empty_payload() -> None:
    with pytest.raises(FileFormatError):
        _parse(b"")

"""wsj_csv: WSJ/MarketWatch index histories (MM/DD/YY, newest first, no trailing newline)."""

from __future__ import annotations

import pandas as pd
import pytest

from ingest.errors import FileFormatError
from ingest.parsers import FORMATS
from ingest.parsers.bars import BARS_COLUMNS
from ingest.parsers.base import ParseContext, ParseResult
from ingest.parsers.wsj_csv import parse, wsj_dates

HSI = "equities/wsj_HSI.csv"


def _parse(payload: bytes, origin: str = HSI) -> ParseResult:
    return parse(payload, ParseContext(origin=origin, series_id="hsi"))


def test_registered() -> None:
    assert FORMATS["wsj_csv"].parser is parse


def test_hsi(read_landing) -> None:
    payload = read_landing(HSI)
    assert not payload.endswith(b"\n")  # the last row has no newline and must still count
    result = _parse(payload)
    frame = result.frame
    assert len(frame) == 9025 and result.rejects == []
    assert list(frame.columns) == BARS_COLUMNS
    assert frame["bar_date"].is_unique
    assert frame["bar_date"].min() == pd.Timestamp("1990-01-02")
    assert frame["bar_date"].max() == pd.Timestamp("2026-07-24")
    # File order is kept (newest first); sorting is the loader's job.
    assert (frame.iloc[0]["bar_date"], frame.iloc[0]["source_line"]) == (
        pd.Timestamp("2026-07-24"),
        2,
    )
    last = frame.iloc[-1]  # line 9026: '01/02/90, 2838.07, 2838.07, 2838.07, 2838.07'
    assert (last["bar_date"], last["close"], last["source_line"]) == (
        pd.Timestamp("1990-01-02"),
        2838.07,
        9026,
    )
    by_day = frame.set_index("bar_date")
    # line 366: '01/27/25, 20118.02, 20296.94, 20118.02, 20197.77'
    day = by_day.loc[pd.Timestamp("2025-01-27")]
    assert (day["open"], day["high"], day["low"], day["close"]) == (
        20118.02,
        20296.94,
        20118.02,
        20197.77,
    )
    assert day["source_line"] == 366
    assert not set(by_day.index) & set(pd.date_range("2025-01-29", "2025-01-31"))  # LNY
    assert pd.Timestamp("2025-02-03") in by_day.index
    assert (by_day.index.year == 2024).sum() == 246
    assert ((by_day.index >= "2025-01-01") & (by_day.index <= "2025-03-31")).sum() == 60
    assert frame[["volume", "adj_close", "quote_volume"]].isna().all().all()


@pytest.mark.parametrize(
    ("path", "rows", "first"),
    [("equities/wsj_NDX.csv", 4417, "2008-12-31"), ("equities/wsj_SPX.csv", 9207, "1990-01-02")],
)
def test_other_indexes(read_landing, path: str, rows: int, first: str) -> None:
    result = _parse(read_landing(path), path)
    assert len(result.frame) == rows and result.rejects == []
    assert result.frame["bar_date"].min() == pd.Timestamp(first)
    assert result.frame["bar_date"].max() == pd.Timestamp("2026-07-24")


def test_two_digit_year_pivot() -> None:
    cells = pd.Series(["01/02/90", "12/31/99", "01/03/00", "07/24/26", "12/31/89", "1/5/2025"])
    assert list(wsj_dates(cells)) == [
        pd.Timestamp("1990-01-02"),
        pd.Timestamp("1999-12-31"),
        pd.Timestamp("2000-01-03"),
        pd.Timestamp("2026-07-24"),
        pd.Timestamp("2089-12-31"),  # below the pivot: 20xx
        pd.Timestamp("2025-01-05"),
    ]
    assert wsj_dates(pd.Series(["02/30/25", "2025-01-27", "", "13/01/25"])).isna().all()


def test_garbage_number_is_one_reject(read_landing) -> None:
    payload = read_landing(HSI).replace(
        b"01/27/25, 20118.02, 20296.94, 20118.02, 20197.77",
        b"01/27/25, 20118.02, 20296.94, 20118.02, 2019x.77",
        1,
    )
    result = _parse(payload)
    assert len(result.frame) == 9024
    assert [(r.line, r.column, r.raw_value) for r in result.rejects] == [(366, "Close", "2019x.77")]


def test_unquoted_thousands_separator_is_a_reject_not_a_shifted_row(read_landing) -> None:
    # '20,197.77' splits into two cells: the row has 6 cells for 5 columns and must not load
    # with close = 20.
    payload = read_landing(HSI).replace(b", 20197.77\n", b", 20,197.77\n", 1)
    result = _parse(payload)
    assert len(result.frame) == 9024
    assert len(result.rejects) == 1
    reject = result.rejects[0]
    assert reject.line == 366 and reject.column is None and "more cells" in reject.reason
    assert reject.raw_value == "01/27/25,20118.02,20296.94,20118.02,20,197.77"


def test_garbage_date_is_one_reject(read_landing) -> None:
    payload = read_landing(HSI).replace(b"\n01/24/25,", b"\n24.01.2025,", 1)
    result = _parse(payload)
    assert len(result.frame) == 9024
    assert [(r.line, r.column, r.raw_value) for r in result.rejects] == [
        (367, "Date", "24.01.2025")
    ]


def test_missing_close_column(read_landing) -> None:
    payload = read_landing(HSI).replace(
        b"Date, Open, High, Low, Close", b"Date, Open, High, Low", 1
    )
    with pytest.raises(FileFormatError) as info:
        _parse(payload)
    assert info.value.column == "Close" and HSI in str(info.value)


def test_empty_payload() -> None:
    with pytest.raises(FileFormatError, match="empty"):
        _parse(b"")

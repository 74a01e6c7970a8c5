"""generic csv: user series described by catalog options, on real files and re-shaped copies."""

from __future__ import annotations

import pandas as pd
import pytest

from ingest.errors import FileFormatError
from ingest.parsers import FORMATS
from ingest.parsers.bars import BARS_COLUMNS
from ingest.parsers.base import ParseContext, ParseResult
from ingest.parsers.generic_csv import parse

DEXHKUS = "fx/fred_DEXHKUS_via_datasets-exchange-rates_HongKong_2023-10-20_2025-12-05.csv"
DEXHKUS_OPTIONS = {"date_column": "Date", "value_column": "Exchange rate"}
VIX = "equities/cboe_vix-daily.csv"
VIX_OPTIONS = {
    "date_column": "DATE",
    "value_column": "CLOSE",
    "open_column": "OPEN",
    "high_column": "HIGH",
    "low_column": "LOW",
}


def _parse(payload: bytes, origin: str = "t.csv", **options: object) -> ParseResult:
    return parse(payload, ParseContext(origin=origin, series_id="s", options=dict(options)))


def test_registered() -> None:
    assert FORMATS["csv"].parser is parse


def test_dexhkus_holiday_blanks_are_skipped(read_landing) -> None:
    result = _parse(read_landing(DEXHKUS), DEXHKUS, **DEXHKUS_OPTIONS)
    frame = result.frame
    # 556 weekday rows, 24 with an empty 'Exchange rate' (US holidays): skipped, not rejects.
    assert len(frame) == 532 and result.rejects == []
    assert list(frame.columns) == BARS_COLUMNS
    assert frame["close"].notna().all()
    assert frame[["open", "high", "low", "volume"]].isna().all().all()
    assert frame["bar_date"].min() == pd.Timestamp("2023-10-20")
    assert frame["bar_date"].max() == pd.Timestamp("2025-12-05")
    days = set(frame["bar_date"])
    for holiday in ("2024-01-15", "2025-01-20", "2025-02-17"):
        assert pd.Timestamp(holiday) not in days
    # line 329: '2025-01-21,Hong Kong,7.7855' (line 328 is the blank MLK-day row)
    day = frame[frame["bar_date"] == pd.Timestamp("2025-01-21")].iloc[0]
    assert (day["close"], day["source_line"]) == (7.7855, 329)


def test_vix_ohlc(read_landing) -> None:
    result = _parse(read_landing(VIX), VIX, **VIX_OPTIONS)  # CRLF line ends
    frame = result.frame.set_index("bar_date")
    assert len(frame) == 9235 and result.rejects == []
    assert frame.index.min() == pd.Timestamp("1990-01-02")
    assert frame.index.max() == pd.Timestamp("2026-07-23")
    # line 8852: '2025-01-27,18.830000,22.510000,17.570000,17.900000'
    day = frame.loc[pd.Timestamp("2025-01-27")]
    assert (day["open"], day["high"], day["low"], day["close"]) == (18.83, 22.51, 17.57, 17.9)
    assert day["source_line"] == 8852
    # CBOE publishes on some US equity holidays (extended hours): kept as published.
    assert pd.Timestamp("2025-01-09") in frame.index


def test_datetime_with_tz_suffix_takes_the_local_date(read_landing) -> None:
    # A yfinance history file read generically: '2025-01-27 00:00:00-05:00' -> 2025-01-27.
    result = _parse(
        read_landing("equities/yf_9988.HK.csv"), date_column="Date", value_column="Close"
    )
    assert len(result.frame) == 1656 and result.rejects == []
    day = result.frame[result.frame["bar_date"] == pd.Timestamp("2025-01-27")].iloc[0]
    assert day["close"] == pytest.approx(86.9688, abs=1e-4)


def test_options_delimiter_decimal_date_format_skip_rows(read_landing) -> None:
    # Re-shape the DEXHKUS excerpt the European way: two title lines, ';', decimal comma, D.M.Y.
    lines = read_landing(DEXHKUS).decode().splitlines()
    out = ["Hong Kong dollar per USD", "source: FRED H.10 via datasets/exchange-rates"]
    for line in lines:
        date, country, value = line.split(",")
        if date != "Date":
            date = pd.Timestamp(date).strftime("%d.%m.%Y")
        out.append(f"{date};{country};{value.replace('.', ',')}")
    payload = "\n".join(out).encode()
    result = _parse(
        payload,
        **DEXHKUS_OPTIONS,
        delimiter=";",
        decimal=",",
        date_format="%d.%m.%Y",
        skip_rows=2,
    )
    reference = _parse(read_landing(DEXHKUS), **DEXHKUS_OPTIONS).frame
    assert result.rejects == []
    assert result.frame["close"].tolist() == reference["close"].tolist()
    assert result.frame["bar_date"].tolist() == reference["bar_date"].tolist()
    assert (result.frame["source_line"] == reference["source_line"] + 2).all()


def test_garbage_value_is_one_reject_with_its_line(read_landing) -> None:
    payload = read_landing(DEXHKUS).replace(
        b"2025-01-21,Hong Kong,7.7855", b"2025-01-21,Hong Kong,7.78.55"
    )
    result = _parse(payload, DEXHKUS, **DEXHKUS_OPTIONS)
    assert len(result.frame) == 531
    assert [(r.line, r.column, r.raw_value) for r in result.rejects] == [
        (329, "Exchange rate", "7.78.55")
    ]


def test_garbage_date_is_one_reject(read_landing) -> None:
    payload = read_landing(VIX).replace(b"2025-01-27,18.83", b"2025-01-27x,18.83")
    result = _parse(payload, VIX, **VIX_OPTIONS)
    assert len(result.frame) == 9234
    assert [(r.line, r.column) for r in result.rejects] == [(8852, "DATE")]


def test_wrong_date_format_is_a_file_error(read_landing) -> None:
    with pytest.raises(FileFormatError, match="no row could be parsed"):
        _parse(read_landing(VIX), VIX, **VIX_OPTIONS, date_format="%m/%d/%Y")


def test_missing_value_column_names_file_and_column(read_landing) -> None:
    payload = read_landing(VIX).replace(b"DATE,OPEN,HIGH,LOW,CLOSE", b"DATE,OPEN,HIGH,LOW,LAST", 1)
    with pytest.raises(FileFormatError) as info:
        _parse(payload, VIX, **VIX_OPTIONS)
    assert info.value.column == "CLOSE" and VIX in str(info.value)


def test_options_are_required(read_landing) -> None:
    with pytest.raises(FileFormatError, match="value_column"):
        _parse(read_landing(VIX), VIX, date_column="DATE")


def test_empty_payload() -> None:
    with pytest.raises(FileFormatError, match="empty"):
        _parse(b"", "x.csv", **DEXHKUS_OPTIONS)

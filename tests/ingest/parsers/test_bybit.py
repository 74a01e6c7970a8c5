"""bybit_klines_csv: Bybit v5 linear (USDT perpetual) daily klines."""

from __future__ import annotations

import pandas as pd
import pytest

from ingest.datasets import DAILY_BARS
from ingest.errors import FileFormatError
from ingest.parsers import FORMATS
from ingest.parsers.base import ParseContext
from ingest.parsers.bybit_klines import parse

BARS_COLUMNS = [*DAILY_BARS.column_names, "source_line"]
HEADER = b"timestamp,open,high,low,close,volume,turnover,date\n"


def _parse(payload: bytes, origin: str = "t.csv"):
    return parse(payload, ParseContext(origin=origin, series_id="render", options={}))


def test_registered() -> None:
    assert FORMATS["bybit_klines_csv"].parser is parse


def test_render_perpetual_bars(read_landing) -> None:
    path = "crypto_prices/bybit_linear_1d_RENDERUSDT.csv"
    result = _parse(read_landing(path), path)
    frame = result.frame
    assert result.rejects == []
    assert len(frame) == 476
    assert list(frame.columns) == BARS_COLUMNS
    assert frame["is_perpetual"].all()  # USDT perpetual, not spot
    assert frame["bar_date"].iloc[0] == pd.Timestamp("2024-07-26")  # RNDR -> RENDER ticker
    assert frame["bar_date"].iloc[-1] == pd.Timestamp("2025-11-13")
    assert frame["bar_date"].diff().dropna().eq(pd.Timedelta(days=1)).all()  # no gaps
    first = frame.iloc[0]
    assert (first["open"], first["high"], first["low"], first["close"]) == (
        6.505,
        7.068,
        6.451,
        6.791,
    )
    assert first["volume"] == 3573214.5  # base coin
    assert first["quote_volume"] == 24447367.0147  # turnover, USDT
    assert first["source_line"] == 2


@pytest.mark.parametrize(("symbol", "bars"), [("WLD", 844), ("VIRTUAL", 378)])
def test_other_files(read_landing, symbol, bars) -> None:
    result = _parse(read_landing(f"crypto_prices/bybit_linear_1d_{symbol}USDT.csv"))
    assert result.rejects == [] and len(result.frame) == bars
    assert result.frame["is_perpetual"].all()


def test_date_column_must_match_timestamp() -> None:
    payload = (
        HEADER
        + b"1740096000000,4.442,4.632,4.2,4.3,100,430,2025-02-21\n"
        + b"1740182400000,4.3,4.5,4.1,4.4,100,440,2025-02-21\n"  # ms says 2025-02-22
    )
    result = _parse(payload)
    assert result.frame["bar_date"].tolist() == [pd.Timestamp("2025-02-21")]
    assert len(result.rejects) == 1
    reject = result.rejects[0]
    assert (reject.line, reject.column, reject.raw_value) == (3, "date", "2025-02-21")
    assert "2025-02-22" in reject.reason


def test_garbage_number_is_one_reject() -> None:
    payload = (
        HEADER
        + b"1740096000000,4.442,4.632,4.2,4.3,100,430,2025-02-21\n"
        + b"1740182400000,4.3,4.5,4.1,n/a,100,440,2025-02-22\n"
        + b"1740268800000,4.4,4.6,4.3,4.5,100,450,2025-02-23\n"
    )
    result = _parse(payload)
    assert len(result.frame) == 2
    assert [(r.line, r.column, r.raw_value) for r in result.rejects] == [(3, "close", "n/a")]


def test_non_midnight_timestamp_is_rejected() -> None:
    payload = HEADER + b"1740099600000,4.442,4.632,4.2,4.3,100,430,2025-02-21\n"  # 01:00 UTC
    result = _parse(payload)
    assert result.frame.empty
    assert [(r.line, r.column) for r in result.rejects] == [(2, "timestamp")]


def test_missing_column_is_named() -> None:
    with pytest.raises(FileFormatError) as err:
        _parse(b"timestamp,open,high,low,close,volume,date\n1740096000000,1,1,1,1,1,2025-02-21\n")
    assert err.value.column == "turnover" and err.value.line == 1

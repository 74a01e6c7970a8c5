"""Binance daily klines (CSV re-save and live JSON) and hourly closes -> daily closes."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pandas as pd
import pytest

from ingest.datasets import DAILY_BARS
from ingest.errors import FileFormatError
from ingest.parsers import FORMATS, binance_hourly, binance_klines
from ingest.parsers.base import ParseContext

BARS_COLUMNS = [*DAILY_BARS.column_names, "source_line"]
BTC_1D = "crypto_prices/binance_spot_1d_BTCUSDT.csv"
BTC_1H = "crypto_prices/binance_spot_1h_close_BTCUSDT.csv"


def _ctx(origin: str = "t") -> ParseContext:
    return ParseContext(origin=origin, series_id="btc", options={})


def _klines(payload: bytes, origin: str = "t"):
    return binance_klines.parse(payload, _ctx(origin))


def _hourly(payload: bytes, origin: str = "t"):
    return binance_hourly.parse(payload, _ctx(origin))


@pytest.fixture(scope="module")
def btc_daily(read_landing) -> pd.DataFrame:
    result = _klines(read_landing(BTC_1D), BTC_1D)
    assert result.rejects == []
    return result.frame


def _as_api_json(csv_bytes: bytes, first_days: int) -> bytes:
    """Rebuild the /api/v3/klines JSON for the first days of a landing CSV (prices as strings)."""
    rows = list(csv.DictReader(io.StringIO(csv_bytes.decode())))[:first_days]
    klines = []
    for r in rows:
        opened = datetime.fromisoformat(r["open_time"]).astimezone(UTC)
        klines.append(
            [
                int(opened.timestamp() * 1000),
                r["open"],
                r["high"],
                r["low"],
                r["close"],
                r["volume"],
                int(r["close_time"]),
                r["quote_asset_volume"],
                int(r["trades"]),
                r["taker_buy_base"],
                r["taker_buy_quote"],
                r["ignore"],
            ]
        )
    return json.dumps(klines, separators=(",", ":")).encode()


def test_registered() -> None:
    for name in ("binance_klines_csv", "binance_klines_json"):
        assert FORMATS[name].parser is binance_klines.parse
    assert FORMATS["binance_hourly_close_csv"].parser is binance_hourly.parse


# ------------------------------------------------------------------------------ daily klines


def test_btc_daily_csv(btc_daily: pd.DataFrame) -> None:
    frame = btc_daily
    assert len(frame) == 2924
    assert list(frame.columns) == BARS_COLUMNS
    assert frame["bar_date"].dtype == "datetime64[ns]"
    assert frame["bar_date"].iloc[0] == pd.Timestamp("2018-01-01")
    assert frame["bar_date"].iloc[-1] == pd.Timestamp("2026-01-02")
    assert frame["bar_date"].is_unique
    assert not frame["is_perpetual"].any()
    day = frame.set_index("bar_date").loc[pd.Timestamp("2025-02-21")]  # Bybit hack day
    assert (day["open"], day["close"]) == (98305.01, 96181.98)
    assert day["volume"] == 32249.2814  # base coin (BTC)
    assert day["quote_volume"] == pytest.approx(3.143976e9, rel=1e-6)  # USDT
    assert day["source_line"] == 2610


@pytest.mark.parametrize(
    ("symbol", "bars", "first"),
    [("SOL", 1971, "2020-08-11"), ("TAO", 632, "2024-04-11"), ("ETH", 2924, "2018-01-01")],
)
def test_duplicate_open_time_header_is_harmless(read_landing, symbol, bars, first) -> None:
    # SOL/TAO headers end with 'open_time.1,open_time' (two empty trailing columns).
    path = f"crypto_prices/binance_spot_1d_{symbol}USDT.csv"
    result = _klines(read_landing(path), path)
    assert result.rejects == []
    assert len(result.frame) == bars
    assert result.frame["bar_date"].iloc[0] == pd.Timestamp(first)
    assert result.frame["bar_date"].iloc[-1] == pd.Timestamp("2026-01-02")
    assert result.frame["close"].notna().all()


def test_sol_first_bar_values(read_landing) -> None:
    frame = _klines(read_landing("crypto_prices/binance_spot_1d_SOLUSDT.csv")).frame
    first = frame.iloc[0]
    assert (first["open"], first["high"], first["low"], first["close"]) == (
        2.85,
        3.5208,
        2.8433,
        3.2985,
    )
    assert (first["volume"], first["quote_volume"]) == (1552384.78, 4939148.938107)


def test_api_json_matches_csv(read_landing, btc_daily: pd.DataFrame) -> None:
    payload = _as_api_json(read_landing(BTC_1D), 30)
    result = _klines(b"  \n" + payload, "https://api.binance.com/api/v3/klines?symbol=BTCUSDT")
    assert result.rejects == []
    frame = result.frame
    assert list(frame.columns) == BARS_COLUMNS
    assert frame["source_line"].tolist() == list(range(1, 31))  # record numbers
    values = [c for c in BARS_COLUMNS if c != "source_line"]
    pd.testing.assert_frame_equal(frame[values], btc_daily[values].iloc[:30].reset_index(drop=True))


def test_truncated_json_is_a_file_error_with_position(read_landing) -> None:
    payload = _as_api_json(read_landing(BTC_1D), 3)
    with pytest.raises(FileFormatError) as err:
        _klines(payload[:-40], "https://api.binance.com/api/v3/klines")
    assert err.value.line == 1
    # 1-based character just past the end of the cut payload
    assert f"column {len(payload) - 40 + 1}" in str(err.value)
    assert "truncated" in str(err.value)


def test_json_multiline_error_position() -> None:
    payload = b'[\n  [1740096000000, "1", "2", "0.5", "1.5", "10", 1740182399999, "15", 5,\n'
    with pytest.raises(FileFormatError) as err:
        _klines(payload)
    assert err.value.line == 3


def test_binance_error_object() -> None:
    with pytest.raises(FileFormatError, match="Invalid symbol"):
        _klines(b'{"code":-1121,"msg":"Invalid symbol."}')


def test_json_bad_record_is_one_reject() -> None:
    good = [1740096000000, "98305.01", "99508.77", "94850.0", "96181.98", "32249.2814"]
    tail = [1740182399999, "3143976000.0", 1, "0", "0", "0"]
    bad = [1740182400000, "96181.99", "abc", "95000", "96500", "100", *tail]
    payload = json.dumps([good + tail, bad, [1, 2]]).encode()
    result = _klines(payload)
    assert len(result.frame) == 1
    assert [(r.line, r.column, r.raw_value) for r in result.rejects][0] == (2, "high", "abc")
    assert result.rejects[1].line == 3 and "12-field" in result.rejects[1].reason


def test_garbage_number_in_csv_is_exactly_one_reject(read_landing) -> None:
    lines = read_landing(BTC_1D).decode().splitlines(keepends=True)
    # Line 10 of the file (2018-01-09): corrupt its close.
    cells = lines[9].split(",")
    cells[4] = "149O2.0"  # a letter O typed for a zero
    lines[9] = ",".join(cells)
    result = _klines("".join(lines).encode(), BTC_1D)
    assert len(result.frame) == 2923
    assert len(result.rejects) == 1
    reject = result.rejects[0]
    assert (reject.line, reject.column, reject.raw_value) == (10, "close", "149O2.0")
    assert pd.Timestamp("2018-01-09") not in set(result.frame["bar_date"])


def test_missing_column_is_named() -> None:
    payload = (
        b"open_time,open,high,low,volume,quote_asset_volume\n2018-01-01 00:00:00+00:00,1,2,1,5,6\n"
    )
    with pytest.raises(FileFormatError) as err:
        _klines(payload, "crypto_prices/x.csv")
    assert err.value.column == "close" and err.value.line == 1
    assert "'close'" in str(err.value)


def test_non_daily_bar_is_rejected() -> None:
    payload = (
        b"open_time,open,high,low,close,volume,quote_asset_volume\n"
        b"2025-02-21 00:00:00+00:00,1,2,0.5,1.5,10,15\n"
        b"2025-02-21 01:00:00+00:00,1,2,0.5,1.5,10,15\n"
    )
    result = _klines(payload)
    assert len(result.frame) == 1
    assert [(r.line, r.column) for r in result.rejects] == [(3, "open_time")]


# ------------------------------------------------------------------------------ hourly closes


@pytest.fixture(scope="module")
def btc_hourly(read_landing):
    return _hourly(read_landing(BTC_1H), BTC_1H)


def test_hourly_btc_daily_closes(btc_hourly) -> None:
    frame = btc_hourly.frame
    assert list(frame.columns) == BARS_COLUMNS
    # 2021-01-01 .. 2025-06-12 complete; 2025-06-13 stops at 08:00 (unfinished day).
    assert len(frame) == 1624
    assert frame["bar_date"].iloc[0] == pd.Timestamp("2021-01-01")
    assert frame["bar_date"].iloc[-1] == pd.Timestamp("2025-06-12")
    assert frame[["open", "high", "low", "volume"]].isna().all().all()
    assert frame["close"].notna().all() and not frame["is_perpetual"].any()
    day = frame.set_index("bar_date").loc[pd.Timestamp("2025-02-21")]
    assert day["close"] == 96181.98
    assert day["source_line"] == 36299  # the '2025-02-21 23:00:00' row


def test_hourly_last_day_incomplete_is_the_only_reject(btc_hourly) -> None:
    # The 14 missing hours of 2021 never include a 23:00 bar, so they cost no daily close.
    assert len(btc_hourly.rejects) == 1
    reject = btc_hourly.rejects[0]
    assert reject.line == 38972  # last line of the file (2025-06-13 08:00)
    assert reject.raw_value == "2025-06-13 08:00:00"
    assert "incomplete UTC day" in reject.reason and "23:00" in reject.reason


def test_hourly_23h_close_equals_binance_1d_close(btc_hourly, btc_daily: pd.DataFrame) -> None:
    hourly = btc_hourly.frame.set_index("bar_date")["close"]
    daily = btc_daily.set_index("bar_date")["close"]
    both = pd.concat({"hourly": hourly, "daily": daily}, axis=1, join="inner")
    assert len(both) == 1624  # every complete hourly day lies inside the 1d file
    assert (both["hourly"] == both["daily"]).all()


def test_tao_hourly_last_day_incomplete(read_landing) -> None:
    path = "crypto_prices/binance_spot_1h_close_TAOUSDT.csv"
    result = _hourly(read_landing(path), path)
    # 2024-04-11 starts at 12:00 (listing) but has its 23:00 bar: it counts.
    assert result.frame["bar_date"].iloc[0] == pd.Timestamp("2024-04-11")
    assert result.frame["bar_date"].iloc[-1] == pd.Timestamp("2025-06-12")
    assert len(result.frame) == 428
    assert [(r.line, r.raw_value) for r in result.rejects] == [(10272, "2025-06-13 10:00:00")]


def test_hourly_row_problems() -> None:
    payload = (
        b"open_time,close\n"
        b"2021-01-01 22:00:00,1.0\n"
        b"2021-01-01 23:00:00,abc\n"  # bad close on the closing bar: one reject, not two
        b"2021-01-02 23:00:00+00:00,5.0\n"
        b"yesterday,3.0\n"
        b"\n"
        b"2021-01-03 01:00:00,2.0\n"
    )
    result = _hourly(payload)
    assert result.frame["bar_date"].tolist() == [pd.Timestamp("2021-01-02")]
    assert result.frame["source_line"].tolist() == [4]
    assert [(r.line, r.column, r.raw_value) for r in result.rejects] == [
        (3, "close", "abc"),
        (5, "open_time", "yesterday"),
        (7, "open_time", "2021-01-03 01:00:00"),
    ]
    assert "incomplete UTC day" in result.rejects[2].reason


def test_hourly_missing_column() -> None:
    with pytest.raises(FileFormatError) as err:
        _hourly(b"open_time,price\n2021-01-01 23:00:00,1\n")
    assert err.value.column == "close"


def test_hourly_empty_payload() -> None:
    with pytest.raises(FileFormatError):
        _hourly(b"")


def test_hourly_iso_stamps_parse_the_same_every_time(read_landing) -> None:
    """pandas' float path of unit="ms" (all NaN when the stamps are ISO text) used to raise a
    spurious FloatingPointError in about 1 parse in 7; only integer stamps take that path now."""
    payload = read_landing("crypto_prices/binance_spot_1h_close_RENDERUSDT.csv")
    context = ParseContext(origin="binance_spot_1h_close_RENDERUSDT.csv", series_id="render")
    frames = [binance_hourly.parse(payload, context).frame for _ in range(40)]
    assert all(frame.equals(frames[0]) for frame in frames)
    assert len(frames[0]) == 322  # complete UTC days of 2024-07-26 .. 2025-06-12 hourly bars

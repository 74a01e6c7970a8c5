"""tushare_index_csv, strategy_mnav_csv and cryptoquant_csv on the real landing files."""

from __future__ import annotations

import pandas as pd
import pytest

from ingest.errors import FileFormatError
from ingest.parsers import FORMATS, cryptoquant_csv, strategy_csv, tushare_csv, yahoo_csv
from ingest.parsers.bars import BARS_COLUMNS
from ingest.parsers.base import ParseContext, ParseResult
from ingest.parsers.cryptoquant_csv import NO_PRICE_REASON

HSTECH = "equities/tushare_HSTECH_via_en574894764-stock_data_2023-07-03_2025-12-31.csv"
MSTR = "equities/strategy_MSTR_daily_mnav.csv"
BTC = "crypto_prices/cryptoquant_btc_usd_price_volume__daily.csv"
ETH = "crypto_prices/cryptoquant_eth_usd_price_volume__daily.csv"


def _ctx(origin: str, **options: object) -> ParseContext:
    return ParseContext(origin=origin, series_id="s", options=dict(options))


def _day(result: ParseResult, day: str) -> pd.Series:
    rows = result.frame[result.frame["bar_date"] == pd.Timestamp(day)]
    assert len(rows) == 1
    return rows.iloc[0]


@pytest.mark.parametrize(
    ("name", "module"),
    [
        ("tushare_index_csv", tushare_csv),
        ("strategy_mnav_csv", strategy_csv),
        ("cryptoquant_csv", cryptoquant_csv),
    ],
)
def test_registered(name: str, module: object) -> None:
    assert FORMATS[name].parser is module.parse  # type: ignore[attr-defined]


# ---------------------------------------------------------------- tushare


def test_tushare_hstech(read_landing) -> None:
    result = tushare_csv.parse(read_landing(HSTECH), _ctx(HSTECH))
    frame = result.frame
    assert len(frame) == 615 and result.rejects == []
    assert list(frame.columns) == BARS_COLUMNS
    dates = frame["bar_date"]
    assert (dates.min(), dates.max()) == (pd.Timestamp("2023-07-03"), pd.Timestamp("2025-12-31"))
    assert (dates.dt.year == 2024).sum() == 246
    assert dates.between("2025-01-01", "2025-03-31").sum() == 60
    assert not set(dates) & set(pd.date_range("2025-01-29", "2025-01-31"))  # LNY
    # line 388: 2025-01-27,4706.36,4751.66,4667.56,4687.3398,4657.6099,0.6383,3182211960.0
    day = _day(result, "2025-01-27")
    assert (day["open"], day["high"], day["low"], day["close"]) == (
        4706.36,
        4751.66,
        4667.56,
        4687.3398,
    )
    assert day["volume"] == 3182211960.0 and day["source_line"] == 388
    assert frame[["adj_close", "quote_volume"]].isna().all().all()


def test_tushare_garbage_and_missing_column(read_landing) -> None:
    payload = read_landing(HSTECH).replace(b"2025-01-27,4706.36,", b"2025-01-27,4706.36.1,", 1)
    result = tushare_csv.parse(payload, _ctx(HSTECH))
    assert len(result.frame) == 614
    assert [(r.line, r.column) for r in result.rejects] == [(388, "open")]
    payload = read_landing(HSTECH).replace(b",close,", b",last,", 1)
    with pytest.raises(FileFormatError) as info:
        tushare_csv.parse(payload, _ctx(HSTECH))
    assert info.value.column == "close" and HSTECH in str(info.value)


def test_tushare_compact_dates(read_landing) -> None:
    # Tushare's native trade_date is YYYYMMDD: same bars.
    text = read_landing(HSTECH).decode()
    compact = "\n".join(
        line if i == 0 else line[:4] + line[5:7] + line[8:]
        for i, line in enumerate(text.splitlines())
    )
    result = tushare_csv.parse(compact.encode(), _ctx(HSTECH))
    assert len(result.frame) == 615 and result.rejects == []
    assert _day(result, "2025-01-27")["close"] == 4687.3398


# ---------------------------------------------------------------- strategy.com


def test_strategy_mstr(read_landing) -> None:
    payload = read_landing(MSTR)
    assert not payload.endswith(b"\n")
    result = strategy_csv.parse(payload, _ctx(MSTR))
    frame = result.frame
    assert len(frame) == 1478 and result.rejects == []
    assert list(frame.columns) == BARS_COLUMNS
    # Newest first, kept in file order; the last line has no newline.
    assert (frame.iloc[0]["bar_date"], frame.iloc[0]["source_line"]) == (
        pd.Timestamp("2026-06-29"),
        2,
    )
    assert (frame.iloc[-1]["bar_date"], frame.iloc[-1]["source_line"]) == (
        pd.Timestamp("2020-08-10"),
        1479,
    )
    # line 358: 2025-01-27 00:00:00,"MSTR",340.5,347.92,356.88,322.3,...,7384405077.280001,...
    day = _day(result, "2025-01-27")
    assert (day["open"], day["high"], day["low"], day["close"]) == (340.5, 356.88, 322.3, 347.92)
    assert day["quote_volume"] == pytest.approx(7_384_405_077.28)  # USD, not shares
    assert pd.isna(day["volume"])
    assert day["source_line"] == 358


def test_strategy_close_matches_yahoo_adjclose(read_landing) -> None:
    # SOURCES-markets.md cross-check: adjclose_MSTR 2025-01-27 = 347.92 = strategy.com close.
    strategy = strategy_csv.parse(read_landing(MSTR), _ctx(MSTR))
    yahoo = yahoo_csv.parse(read_landing("equities/adjclose_MSTR.csv"), _ctx("adjclose_MSTR"))
    assert _day(yahoo, "2025-01-27")["close"] == pytest.approx(
        _day(strategy, "2025-01-27")["close"], abs=1e-4
    )


def test_strategy_missing_trading_volume(read_landing) -> None:
    payload = read_landing(MSTR).replace(b'"trading_volume"', b'"volume_usd"', 1)
    with pytest.raises(FileFormatError) as info:
        strategy_csv.parse(payload, _ctx(MSTR))
    assert info.value.column == "trading_volume"


# ---------------------------------------------------------------- CryptoQuant


def test_cryptoquant_btc_blank_prices_are_counted_rejects(read_landing) -> None:
    result = cryptoquant_csv.parse(read_landing(BTC), _ctx(BTC))
    frame = result.frame
    # 6,308 rows: 2009-01-03..2009-10-04 (275 days) have no price yet.
    assert len(frame) == 6033
    assert len(result.rejects) == 275
    assert {r.reason for r in result.rejects} == {NO_PRICE_REASON}
    assert NO_PRICE_REASON == "no price (blank OHLC)"
    assert [r.line for r in result.rejects] == list(range(2, 277))
    assert result.rejects[0].raw_value == "2009-01-03,,,,,0.0"
    first = frame.iloc[0]  # line 277: 2009-10-05,0.00076392,... (first exchange price)
    assert (first["bar_date"], first["source_line"]) == (pd.Timestamp("2009-10-05"), 277)
    assert first["close"] == pytest.approx(0.00076392)
    assert frame["bar_date"].max() == pd.Timestamp("2026-04-11")
    assert frame["bar_date"].diff().dropna().eq(pd.Timedelta(days=1)).all()  # no missing day
    day = _day(result, "2025-01-27")  # line 5870
    assert day["close"] == pytest.approx(102067.98026942)
    assert day["volume"] == pytest.approx(61764.54746086573)  # BTC, not USD
    assert frame[["close", "open", "high", "low"]].notna().all().all()


def test_cryptoquant_eth(read_landing) -> None:
    result = cryptoquant_csv.parse(read_landing(ETH), _ctx(ETH))
    assert len(result.frame) == 3896 and result.rejects == []
    assert _day(result, "2025-01-27")["close"] == pytest.approx(3182.39173986)


def test_cryptoquant_garbage_number(read_landing) -> None:
    payload = read_landing(ETH).replace(
        b"2025-01-27,3232.51534949,", b"2025-01-27,3232.515#34949,", 1
    )
    result = cryptoquant_csv.parse(payload, _ctx(ETH))
    assert len(result.frame) == 3895
    assert [(r.line, r.column, r.raw_value) for r in result.rejects] == [
        (3458, "Open", "3232.515#34949")
    ]


@pytest.mark.parametrize("module", [tushare_csv, strategy_csv, cryptoquant_csv])
def test_empty_payload(module: object) -> None:
    with pytest.raises(FileFormatError, match="empty"):
        module.parse(b"", _ctx("x.csv"))  # type: ignore[attr-defined]

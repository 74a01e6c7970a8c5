"""yahoo_csv: every yfinance CSV variant of the landing folder, read in place, plus bad input.

Facts below were checked against the raw text of the files (grep/wc), not against the parser.
"""

from __future__ import annotations

import pandas as pd
import pytest

from ingest.datasets import DAILY_BARS
from ingest.errors import FileFormatError
from ingest.parsers import FORMATS
from ingest.parsers.bars import BARS_COLUMNS
from ingest.parsers.base import ParseContext, ParseResult
from ingest.parsers.yahoo_csv import INTRADAY_REASON, parse

NVDA = "equities/yf_NVDA.csv"
BABA_HK = "equities/yf_9988.HK.csv"
QQQ = "equities/yf_QQQ.csv"
USDHKD = "fx/yahoo_USDHKD=X_2016-2026.csv"
NDX = "equities/yf_^NDX.csv"
BABA = "equities/adjclose_BABA.csv"


def _parse(payload: bytes, origin: str = "t.csv", **options: object) -> ParseResult:
    return parse(payload, ParseContext(origin=origin, series_id="s", options=dict(options)))


def _day(result: ParseResult, day: str) -> pd.Series:
    rows = result.frame[result.frame["bar_date"] == pd.Timestamp(day)]
    assert len(rows) == 1, f"{day}: {len(rows)} rows"
    return rows.iloc[0]


def _replace_line(payload: bytes, line: int, new: str) -> bytes:
    lines = payload.decode().split("\n")
    lines[line - 1] = new
    return "\n".join(lines).encode()


def test_registered() -> None:
    assert FORMATS["yahoo_csv"].parser is parse


def test_bars_columns_match_the_dataset() -> None:
    assert [*DAILY_BARS.column_names, "source_line"] == BARS_COLUMNS


def test_history_export_with_tz_suffixed_dates(read_landing) -> None:
    result = _parse(read_landing(NVDA), NVDA)
    frame = result.frame
    assert len(frame) == 6938 and result.rejects == []
    assert list(frame.columns) == BARS_COLUMNS
    assert frame["bar_date"].dtype == "datetime64[ns]"  # naive, normalised
    assert (frame["bar_date"] == frame["bar_date"].dt.normalize()).all()
    assert frame["series_id"].eq("s").all() and not frame["is_perpetual"].any()
    assert frame["bar_date"].min() == pd.Timestamp("1999-01-22")
    assert frame["bar_date"].max() == pd.Timestamp("2026-08-21")
    # line 6545: 2025-01-27 00:00:00-05:00,124.6138...,128.2085...,116.5259...,118.2434...,818830900,0.0,0.0
    day = _day(result, "2025-01-27")
    assert day["close"] == pytest.approx(118.2434, abs=1e-4)
    assert day["open"] == pytest.approx(124.6139, abs=1e-4)
    assert day["high"] == pytest.approx(128.2085, abs=1e-4)
    assert day["low"] == pytest.approx(116.5260, abs=1e-4)
    assert day["volume"] == 818830900
    assert (day["dividends"], day["stock_splits"]) == (0.0, 0.0)
    assert pd.isna(day["adj_close"]) and pd.isna(day["quote_volume"])
    assert day["source_line"] == 6545
    # The 10:1 split of 2024-06-10 is in the Stock Splits column.
    assert _day(result, "2024-06-10")["stock_splits"] == 10.0


def test_plus_eight_offset_keeps_the_local_date(read_landing) -> None:
    # '2025-01-27 00:00:00+08:00' is 2025-01-26 in UTC: the bar must stay on the HK day.
    result = _parse(read_landing(BABA_HK))
    frame = result.frame
    assert len(frame) == 1656 and result.rejects == []
    assert _day(result, "2025-01-27")["close"] == pytest.approx(86.9688, abs=1e-4)
    days = set(frame["bar_date"])
    assert pd.Timestamp("2025-01-26") not in days  # a Sunday: no UTC shift happened
    assert not days & set(pd.date_range("2025-01-29", "2025-01-31"))  # Lunar New Year
    assert (frame["bar_date"].dt.year == 2024).sum() == 246


def test_download_export_column_order(read_landing) -> None:
    # Date,Close,High,Low,Open,Volume with CRLF line ends.
    result = _parse(read_landing(QQQ))
    assert len(result.frame) == 6781 and result.rejects == []
    day = _day(
        result, "2025-01-27"
    )  # 2025-01-27,512.868...,516.638...,508.818...,509.666...,60771700
    assert day["close"] == pytest.approx(512.8683, abs=1e-4)
    assert day["open"] == pytest.approx(509.6667, abs=1e-4)
    assert day["high"] == pytest.approx(516.6385, abs=1e-4)
    assert day["low"] == pytest.approx(508.8189, abs=1e-4)
    assert day["volume"] == 60771700
    assert day["source_line"] == 6513
    assert result.frame[["adj_close", "dividends", "stock_splits"]].isna().all().all()


@pytest.mark.parametrize("options", [{}, {"delimiter": ";", "decimal": ","}])
def test_semicolon_decimal_comma(read_landing, options: dict) -> None:
    # Sniffed without options, and read the same with the catalog's explicit options.
    result = _parse(read_landing(USDHKD), USDHKD, **options)
    frame = result.frame
    assert len(frame) == 2602 and result.rejects == []
    first = frame.iloc[
        0
    ]  # 2016-01-19;7,801179885864258;7,801179885864258;7,8196...;7,8003...;...;0
    assert first["bar_date"] == pd.Timestamp("2016-01-19")
    assert first["close"] == pytest.approx(7.80118, abs=1e-5)
    assert first["adj_close"] == pytest.approx(7.80118, abs=1e-5)
    assert first["high"] == pytest.approx(7.8197, abs=1e-4)
    assert first["volume"] == 0 and first["source_line"] == 2
    assert frame["bar_date"].max() == pd.Timestamp("2026-01-19")
    assert frame["close"].between(7.7, 7.9).all()  # the HKD peg band: no decimal mix-up


def test_multi_index_header(read_landing) -> None:
    result = _parse(read_landing(NDX), NDX)
    frame = result.frame
    assert len(frame) == 10181 and result.rejects == []
    first = frame.iloc[0]  # lines 1-3 are Price/Ticker/Date headers
    assert (first["bar_date"], first["source_line"]) == (pd.Timestamp("1985-10-01"), 4)
    assert first["close"] == pytest.approx(112.14, abs=1e-4)
    day = _day(result, "2025-01-27")
    assert day["close"] == pytest.approx(21127.2793, abs=1e-4)
    assert day["adj_close"] == pytest.approx(21127.2793, abs=1e-4)
    assert day["open"] == pytest.approx(21000.1699, abs=1e-4)
    assert day["volume"] == 8870200000
    assert frame["bar_date"].max() == pd.Timestamp("2026-02-27")


def test_close_only_last_row_intraday(read_landing) -> None:
    result = _parse(read_landing(BABA), BABA, last_row_intraday=True)
    frame = result.frame
    assert len(frame) == 2983
    assert len(result.rejects) == 1
    reject = result.rejects[0]
    assert reject.line == 2985 and reject.reason == INTRADAY_REASON
    assert reject.reason == "intraday snapshot (last row of a close-only export)"
    assert reject.raw_value is not None and reject.raw_value.startswith("2026-08-03")
    assert frame["bar_date"].max() == pd.Timestamp("2026-07-31")
    assert _day(result, "2025-01-27")["close"] == pytest.approx(87.6889, abs=1e-4)
    assert frame[["open", "high", "low", "volume", "adj_close"]].isna().all().all()
    # Without the option the snapshot is an ordinary bar.
    plain = _parse(read_landing(BABA), BABA)
    assert len(plain.frame) == 2984 and plain.rejects == []


def test_garbage_number_is_one_reject_with_its_line(read_landing) -> None:
    payload = _replace_line(
        read_landing(NVDA),
        6545,
        "2025-01-27 00:00:00-05:00,124.6,128.2,116.5,n/a-bad,818830900,0.0,0.0",
    )
    result = _parse(payload, NVDA)
    assert len(result.frame) == 6937
    assert len(result.rejects) == 1
    reject = result.rejects[0]
    assert (reject.line, reject.column, reject.raw_value) == (6545, "Close", "n/a-bad")
    assert pd.Timestamp("2025-01-27") not in set(result.frame["bar_date"])


def test_garbage_date_is_one_reject(read_landing) -> None:
    payload = _replace_line(read_landing(QQQ), 6513, "2025-13-27,1,2,0.5,1,10\r")
    result = _parse(payload, QQQ)
    assert len(result.frame) == 6780
    assert [(r.line, r.column, r.raw_value) for r in result.rejects] == [
        (6513, "Date", "2025-13-27")
    ]


def test_missing_close_column_names_file_and_column(read_landing) -> None:
    payload = read_landing(QQQ).replace(b"Date,Close,", b"Date,Last,", 1)
    with pytest.raises(FileFormatError) as info:
        _parse(payload, QQQ)
    assert info.value.column == "Close" and info.value.line == 1
    assert QQQ in str(info.value) and "'Close'" in str(info.value)


def test_wrong_delimiter_is_a_file_error(read_landing) -> None:
    # Forcing ',' on the semicolon file leaves one header cell: no Close column.
    with pytest.raises(FileFormatError, match="Close"):
        _parse(read_landing(USDHKD), USDHKD, delimiter=",")


def test_wrong_decimal_is_a_file_error_not_garbage(read_landing) -> None:
    # '7,8011...' with decimal '.' must not become 78011...: every row fails -> file error.
    with pytest.raises(FileFormatError, match="no row could be parsed"):
        _parse(read_landing(USDHKD), USDHKD, delimiter=";", decimal=".")


def test_multi_ticker_export_is_refused(read_landing) -> None:
    payload = read_landing(NDX).replace(b"Ticker,^NDX,^NDX", b"Ticker,^NDX,^GSPC", 1)
    with pytest.raises(FileFormatError, match="multi-ticker"):
        _parse(payload, NDX)


@pytest.mark.parametrize("payload", [b"", b"\n\n  \n", b"\xef\xbb\xbf"])
def test_empty_payload(payload: bytes) -> None:
    with pytest.raises(FileFormatError, match="empty"):
        _parse(payload, "equities/empty.csv")


def test_not_utf8(read_landing) -> None:
    payload = read_landing(BABA).replace(b"Date,Close", b"Date,Cl\xffse", 1)
    with pytest.raises(FileFormatError, match="UTF-8"):
        _parse(payload, BABA)


def test_header_only_gives_an_empty_typed_frame() -> None:
    result = _parse(b"Date,Close\n")
    assert result.frame.empty and result.rejects == []
    assert list(result.frame.columns) == BARS_COLUMNS
    assert result.frame["bar_date"].dtype == "datetime64[ns]"


def test_fx_close_from_next_open_lines_up_with_fred(read_landing) -> None:
    """Yahoo '=X' Close is the bar's opening snapshot; the next open is the day's real close."""
    from ingest.parsers import fred_csv

    options = {"close_from_next_open": True}
    ctx = ParseContext("fx/yahoo_EURUSD=X_2003-2026.csv", "eurusd", options)
    shifted = parse(read_landing("fx/yahoo_EURUSD=X_2003-2026.csv"), ctx)
    plain = parse(
        read_landing("fx/yahoo_EURUSD=X_2003-2026.csv"),
        ParseContext("fx/yahoo_EURUSD=X_2003-2026.csv", "eurusd", {}),
    )
    frame = shifted.frame.set_index("bar_date")
    # Friday 2025-01-24 closes at Monday 2025-01-27's open.
    assert frame.loc["2025-01-24", "close"] == pytest.approx(1.0467586517333984)
    assert frame.loc["2025-01-24", "open"] == pytest.approx(1.041601538658142)
    assert len(shifted.frame) == len(plain.frame) - 1
    assert shifted.rejects[-1].reason.startswith("last bar")

    fred = fred_csv.parse(
        read_landing("fx/fred_DEXUSEU_values.csv"),
        ParseContext("fx/fred_DEXUSEU_values.csv", "eurusd", {}),
    ).frame.set_index("bar_date")["close"]

    def correlation(yahoo: pd.Series) -> float:
        joined = pd.concat([yahoo, fred], axis=1, join="inner").loc["2024-01-01":"2025-06-30"]
        returns = joined.pct_change().dropna()
        return float(returns.iloc[:, 0].corr(returns.iloc[:, 1]))

    # Same-day daily returns agree with the NY noon fixing far better once the close is right.
    assert correlation(frame["close"]) > 0.7  # 0.736: the fix is at 17:00 UTC, the close at 24:00
    assert correlation(plain.frame.set_index("bar_date")["close"]) < 0.4  # 0.277

"""The Yahoo v8 chart parser on responses rebuilt from real yfinance rows."""

from __future__ import annotations

import copy
import json
from datetime import date, time

import pandas as pd
import pytest

from ingest.datasets import DAILY_BARS
from ingest.errors import FileFormatError
from ingest.parsers import FORMATS, ParseContext
from ingest.parsers.yahoo_chart import parse
from tests.ingest.connectors.support import payload_json, yahoo_chart_json

ORIGIN = "https://query1.finance.yahoo.com/v8/finance/chart/NVDA?interval=1d"


@pytest.fixture(scope="module")
def nvda(read_landing) -> dict:
    """NVDA 2024-06-03..2025-01-31: the 10:1 split, 3 dividends and the DeepSeek selloff."""
    return yahoo_chart_json(
        read_landing("equities/yf_NVDA.csv"), "NVDA", date(2024, 6, 3), date(2025, 1, 31)
    )


def run(document: dict | bytes, series_id: str = "nvda"):
    payload = document if isinstance(document, bytes) else payload_json(document)
    return parse(payload, ParseContext(ORIGIN, series_id))


def row(frame: pd.DataFrame, day: str) -> pd.Series:
    hits = frame[frame["bar_date"] == pd.Timestamp(day)]
    assert len(hits) == 1
    return hits.iloc[0]


def test_registered_as_yahoo_chart_json():
    assert FORMATS["yahoo_chart_json"].parser is parse
    assert FORMATS["yahoo_chart_json"].dataset == "daily_bars"


def test_frame_has_daily_bars_columns_and_types(nvda):
    result = run(nvda)
    frame = result.frame
    assert list(frame.columns) == [*DAILY_BARS.column_names, "source_line"]
    assert result.rejects == []
    assert len(frame) == len(nvda["chart"]["result"][0]["timestamp"]) == 167
    assert frame["bar_date"].dtype == "datetime64[ns]"
    assert (frame["bar_date"] == frame["bar_date"].dt.normalize()).all()
    assert (frame["series_id"] == "nvda").all()
    assert not frame["is_perpetual"].any()
    assert frame["quote_volume"].isna().all()
    assert frame["source_line"].tolist() == list(range(1, 168))


def test_real_values_land_on_exchange_local_dates(nvda):
    frame = run(nvda).frame
    selloff = row(frame, "2025-01-27")
    assert selloff["close"] == pytest.approx(118.24340057373047)
    assert selloff["open"] == pytest.approx(124.61389107098998)
    assert selloff["volume"] == 818830900
    assert selloff["adj_close"] == pytest.approx(118.24340057373047)
    assert row(frame, "2025-01-28")["close"] == pytest.approx(128.7976531982422)
    assert pd.Timestamp("2025-01-09") not in set(frame["bar_date"])  # Carter day of mourning


def test_dividends_and_splits_from_events(nvda):
    frame = run(nvda).frame
    assert row(frame, "2024-06-10")["stock_splits"] == 10.0
    assert row(frame, "2024-06-11")["dividends"] == pytest.approx(0.01)  # first post-split
    assert row(frame, "2024-09-12")["dividends"] == pytest.approx(0.01)
    assert row(frame, "2024-12-05")["dividends"] == pytest.approx(0.01)
    assert frame["dividends"].gt(0).sum() == 3 and frame["stock_splits"].gt(0).sum() == 1
    assert row(frame, "2025-01-27")["dividends"] == 0.0


def test_split_ratio_string_when_numbers_missing(nvda):
    document = copy.deepcopy(nvda)
    (split,) = document["chart"]["result"][0]["events"]["splits"].values()
    del split["numerator"], split["denominator"]
    assert row(run(document).frame, "2024-06-10")["stock_splits"] == 10.0


def test_bar_date_uses_exchange_time_zone_not_utc(read_landing):
    # HKEX bars stamped at local midnight are 16:00 UTC the previous day.
    document = yahoo_chart_json(
        read_landing("equities/yf_0700.HK.csv"), "0700.HK", date(2025, 1, 20), date(2025, 1, 28),
        tz_name="Asia/Hong_Kong", session_open=time(0, 0), gmtoffset=28800,
    )  # fmt: skip
    first_stamp = document["chart"]["result"][0]["timestamp"][0]
    assert pd.Timestamp(first_stamp, unit="s").date() == date(2025, 1, 19)  # UTC day before
    frame = run(document, "tencent").frame
    assert frame["bar_date"].min() == pd.Timestamp("2025-01-20")
    assert row(frame, "2025-01-27")["close"] == pytest.approx(387.6599426269531)

    # Without the zone name, meta.gmtoffset gives the same local dates.
    del document["chart"]["result"][0]["meta"]["exchangeTimezoneName"]
    assert run(document, "tencent").frame["bar_date"].equals(frame["bar_date"])


def test_null_close_is_rejected(nvda):
    document = copy.deepcopy(nvda)
    result0 = document["chart"]["result"][0]
    index = next(
        i for i, stamp in enumerate(result0["timestamp"])
        if pd.Timestamp(stamp, unit="s", tz="UTC").tz_convert("America/New_York").date()
        == date(2025, 1, 24)
    )  # fmt: skip
    for name in ("open", "high", "low", "close", "volume"):
        result0["indicators"]["quote"][0][name][index] = None
    result0["indicators"]["adjclose"][0]["adjclose"][index] = None

    result = run(document)

    assert len(result.frame) == 166
    (reject,) = result.rejects
    assert (reject.line, reject.column, reject.reason) == (index + 1, "close", "no close")
    assert pd.Timestamp("2025-01-24") not in set(result.frame["bar_date"])


def test_chart_error_is_a_file_error_with_yahoos_message():
    document = {
        "chart": {
            "result": None,
            "error": {"code": "Not Found", "description": "No data found, symbol may be delisted"},
        }
    }
    with pytest.raises(FileFormatError, match="No data found, symbol may be delisted") as info:
        run(document)
    assert info.value.origin == ORIGIN


def test_truncated_json_names_line_and_column(nvda):
    payload = json.dumps(nvda, indent=1).encode()
    cut = payload[: len(payload) // 2]
    expected_line = cut.count(b"\n") + 1
    with pytest.raises(
        FileFormatError, match=r"invalid or truncated JSON at line \d+ column \d+"
    ) as info:
        run(cut)
    assert info.value.line == expected_line
    assert f"line {expected_line}" in str(info.value)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"quoteResponse": {}}, "no top-level 'chart'"),
        ({"chart": {"result": [], "error": None}}, "has no result"),
    ],
)
def test_other_shapes_are_file_errors(document, message):
    with pytest.raises(FileFormatError, match=message):
        run(document)


def test_indicator_length_mismatch_is_a_file_error(nvda):
    document = copy.deepcopy(nvda)
    document["chart"]["result"][0]["indicators"]["quote"][0]["close"].pop()
    with pytest.raises(FileFormatError, match="'close' has 166 values for 167 timestamps"):
        run(document)


def test_range_without_bars_gives_an_empty_frame(nvda):
    document = copy.deepcopy(nvda)
    result0 = document["chart"]["result"][0]
    del result0["timestamp"]
    result0["indicators"] = {"quote": [{}], "adjclose": [{}]}
    result0["events"] = {}
    result = run(document)
    assert result.frame.empty and result.rejects == []
    assert list(result.frame.columns) == [*DAILY_BARS.column_names, "source_line"]

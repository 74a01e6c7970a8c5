"""event_calendar_csv: FOMC dates, the macro release calendar and megacap earnings dates."""

from __future__ import annotations

import pandas as pd
import pytest

from ingest.datasets import CALENDAR_EVENTS
from ingest.errors import FileFormatError
from ingest.parsers import FORMATS
from ingest.parsers.base import ParseContext, ParseResult
from ingest.parsers.event_calendar_csv import parse

FOMC = "macro/fomc_dates_2000-2026.csv"
MACRO = "macro/macro_events_fomc_cpi_nfp_2024-2026.csv"
EARNINGS = "macro/megacap_earnings_dates.csv"
COLUMNS = [*CALENDAR_EVENTS.column_names, "source_line"]


def _parse(payload: bytes, origin: str = "t.csv", **options: object) -> ParseResult:
    return parse(payload, ParseContext(origin=origin, series_id="cal", options=dict(options)))


def test_registered() -> None:
    assert FORMATS["event_calendar_csv"].parser is parse


@pytest.mark.parametrize("options", [{}, {"event_type": "fomc"}])
def test_fomc_dates(read_landing, options: dict) -> None:
    result = _parse(read_landing(FOMC), FOMC, **options)
    frame = result.frame
    assert len(frame) == 223 and result.rejects == []
    assert list(frame.columns) == COLUMNS
    assert frame["event_date"].dtype == "datetime64[ns]"
    assert frame["event_type"].eq("fomc").all()
    assert frame["event_name"].eq("FOMC decision").all()
    assert frame["ticker"].isna().all() and frame["timing"].isna().all()
    dates = frame["event_date"]
    assert (dates.min(), dates.max()) == (pd.Timestamp("2000-02-02"), pd.Timestamp("2026-12-09"))
    assert frame.loc[dates == pd.Timestamp("2025-01-29"), "source_line"].tolist() == [209]
    assert dates[dates.dt.year == 2025].dt.strftime("%m-%d").tolist() == [
        "01-29", "03-19", "05-07", "06-18", "07-30", "09-17", "10-29", "12-10",
    ]  # fmt: skip
    assert pd.Timestamp("2020-03-15") in set(dates)  # unscheduled Sunday cut is kept


def test_single_column_type_override(read_landing) -> None:
    frame = _parse(read_landing(FOMC), FOMC, event_type="CPI").frame
    assert frame["event_type"].eq("cpi").all() and frame["event_name"].eq("CPI release").all()


def test_macro_release_calendar(read_landing) -> None:
    result = _parse(read_landing(MACRO), MACRO)
    frame = result.frame
    assert len(frame) == 70 and result.rejects == []
    assert frame["event_type"].value_counts().to_dict() == {"fomc": 24, "cpi": 23, "nfp": 23}
    by_date = frame.set_index(["event_date", "event_type"])
    assert by_date.loc[(pd.Timestamp("2025-01-29"), "fomc"), "event_name"] == "FOMC 2025-01-29"
    assert by_date.loc[(pd.Timestamp("2025-01-15"), "cpi"), "event_name"] == "CPI Dec 2024"
    assert by_date.loc[(pd.Timestamp("2025-01-10"), "nfp"), "event_name"] == "NFP Dec 2024"
    # CPI/NFP rows start only in 2025.
    assert frame.loc[frame["event_type"] != "fomc", "event_date"].min() == pd.Timestamp(
        "2025-01-10"
    )
    assert frame["ticker"].isna().all()


def test_earnings_dates(read_landing) -> None:
    result = _parse(read_landing(EARNINGS), EARNINGS)
    frame = result.frame
    assert len(frame) == 807 and result.rejects == []
    assert frame["event_type"].eq("earnings").all()
    assert frame["ticker"].nunique() == 10
    assert set(frame["timing"]) == {"AMC", "BMO"}
    # line 756: 2025-02-26,NVDA,AMC -- inside DeepSeek Open Source Week.
    nvda = frame[(frame["ticker"] == "NVDA") & (frame["event_date"] == pd.Timestamp("2025-02-26"))]
    assert nvda[["event_name", "timing", "source_line"]].values.tolist() == [
        ["NVDA earnings", "AMC", 756]
    ]
    # Several tickers on one day are normal: 124 repeated dates, none dropped.
    assert frame["event_date"].duplicated().sum() == 124


def test_garbage_date_is_one_reject(read_landing) -> None:
    payload = read_landing(EARNINGS).replace(b"2025-02-26,NVDA,AMC", b"2025-02-30,NVDA,AMC", 1)
    result = _parse(payload, EARNINGS)
    assert len(result.frame) == 806
    assert [(r.line, r.column, r.raw_value) for r in result.rejects] == [
        (756, "date", "2025-02-30")
    ]


def test_missing_ticker_is_a_reject(read_landing) -> None:
    payload = read_landing(EARNINGS).replace(b"2025-02-26,NVDA,AMC", b"2025-02-26,,AMC", 1)
    result = _parse(payload, EARNINGS)
    assert [(r.line, r.column, r.reason) for r in result.rejects] == [
        (756, "ticker", "missing ticker")
    ]


def test_unknown_layout_is_a_file_error(read_landing) -> None:
    payload = read_landing(MACRO).replace(b"event_date,", b"when,", 1)
    with pytest.raises(FileFormatError) as info:
        _parse(payload, MACRO)
    assert MACRO in str(info.value) and "unrecognised calendar layout" in str(info.value)


def test_empty_payload() -> None:
    with pytest.raises(FileFormatError, match="empty"):
        _parse(b"", FOMC)

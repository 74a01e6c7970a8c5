"""farside_csv and farside_html -> etf_flows long rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ingest.datasets import ETF_FLOWS
from ingest.errors import FileFormatError
from ingest.parsers import FORMATS
from ingest.parsers.base import ParseContext
from ingest.parsers.farside import parse

FLOW_COLUMNS = [*ETF_FLOWS.column_names, "source_line"]
VALUE_COLUMNS = ETF_FLOWS.column_names
BTC_CSV = "etf_flows/farside_btc_etf_flows__daily.csv"
ETH_CSV = "etf_flows/farside_eth_etf_flows__daily.csv"
BTC_FUNDS = [
    "IBIT", "FBTC", "BITB", "ARKB", "BTCO", "EZBC", "BRRR", "HODL", "BTCW", "MSBT", "GBTC", "BTC",
]  # fmt: skip
FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "farside_btc_all_data.html"


def _parse(payload: bytes, product: str | None = "BTC", origin: str = "t"):
    options = {} if product is None else {"product": product}
    return parse(payload, ParseContext(origin=origin, series_id="btc_etf_flows", options=options))


def _cell(frame: pd.DataFrame, day: str, fund: str) -> pd.Series:
    rows = frame[(frame["flow_date"] == pd.Timestamp(day)) & (frame["fund"] == fund)]
    assert len(rows) == 1
    return rows.iloc[0]


@pytest.fixture(scope="module")
def btc(read_landing) -> pd.DataFrame:
    result = _parse(read_landing(BTC_CSV), origin=BTC_CSV)
    assert result.rejects == []
    return result.frame


def test_registered() -> None:
    assert FORMATS["farside_csv"].parser is parse
    assert FORMATS["farside_html"].parser is parse
    assert FORMATS["farside_csv"].dataset == "etf_flows"


def test_btc_csv_long_rows(btc: pd.DataFrame) -> None:
    assert list(btc.columns) == FLOW_COLUMNS
    assert btc["flow_date"].dtype == "datetime64[ns]"
    assert btc["flow_date"].nunique() == 579  # 2024-01-11 .. 2026-04-10
    assert len(btc) == 579 * 13  # 12 funds + Total per date
    assert btc["fund"].drop_duplicates().tolist() == [*BTC_FUNDS, "Total"]
    assert btc["product"].eq("BTC").all()
    assert not btc.duplicated(["product", "flow_date", "fund"]).any()
    assert btc.loc[btc["fund"] == "Total", "flow_usd_millions"].notna().all()


def test_btc_sell_off_day(btc: pd.DataFrame) -> None:
    # 2025-02-25, after the Bybit hack: the record outflow day of that window.
    assert _cell(btc, "2025-02-25", "Total")["flow_usd_millions"] == -1113.7
    assert _cell(btc, "2025-02-25", "IBIT")["flow_usd_millions"] == -164.4
    assert _cell(btc, "2025-02-25", "FBTC")["flow_usd_millions"] == -344.7
    assert not _cell(btc, "2025-02-25", "Total")["row_all_empty"]
    assert _cell(btc, "2025-02-25", "IBIT")["source_line"] == 295


def test_empty_cells_are_null_not_zero(btc: pd.DataFrame) -> None:
    first_day = btc[btc["flow_date"] == pd.Timestamp("2024-01-11")].set_index("fund")
    assert first_day.loc["IBIT", "flow_usd_millions"] == 111.7
    assert first_day.loc["GBTC", "flow_usd_millions"] == -95.1
    assert pd.isna(first_day.loc["BTC", "flow_usd_millions"])  # Mini Trust from 2024-07-31
    assert pd.isna(first_day.loc["MSBT", "flow_usd_millions"])
    assert first_day.loc["Total", "flow_usd_millions"] == 655.3
    assert not first_day["row_all_empty"].any()
    # A real 0.0 stays 0.0.
    assert _cell(btc, "2024-01-12", "EZBC")["flow_usd_millions"] == 0.0


def test_holiday_rows(btc: pd.DataFrame) -> None:
    mlk = btc[btc["flow_date"] == pd.Timestamp("2024-01-15")].set_index("fund")
    assert mlk["row_all_empty"].all()  # flagged on every row of the date, Total included
    assert mlk.loc["Total", "flow_usd_millions"] == 0.0  # as Farside writes it
    assert mlk.loc[BTC_FUNDS, "flow_usd_millions"].isna().all()
    holidays = btc.groupby("flow_date")["row_all_empty"].first()
    assert holidays.sum() == 16  # until 2025-06-19; from 2025-07 holidays are omitted
    assert holidays[holidays].index.max() == pd.Timestamp("2025-06-19")


def test_eth_csv(read_landing) -> None:
    result = _parse(read_landing(ETH_CSV), "eth", ETH_CSV)
    frame = result.frame
    assert result.rejects == []
    assert frame["product"].eq("ETH").all()
    assert frame["flow_date"].nunique() == 441
    assert len(frame) == 441 * 11  # 10 funds + Total
    assert frame.groupby("flow_date")["row_all_empty"].first().sum() == 10
    assert _cell(frame, "2024-07-23", "Total")["flow_usd_millions"] == 106.6
    assert _cell(frame, "2024-07-23", "ETHE")["flow_usd_millions"] == -484.1
    assert pd.isna(_cell(frame, "2024-07-23", "ETHB")["flow_usd_millions"])  # until 2026-03-11


def test_product_option_is_required(read_landing) -> None:
    with pytest.raises(FileFormatError, match="product"):
        _parse(read_landing(ETH_CSV), None, ETH_CSV)


def test_html_fixture_equals_csv_rows(btc: pd.DataFrame) -> None:
    result = _parse(FIXTURE.read_bytes(), origin="https://farside.co.uk/bitcoin-etf-flow-all-data/")
    html = result.frame
    assert result.rejects == []  # header, fee, stray and Total/Average/Max/Min rows skipped
    assert list(html.columns) == FLOW_COLUMNS
    window = btc[btc["flow_date"].between("2025-02-14", "2025-02-28")]
    assert window["flow_date"].nunique() == 11  # incl. Presidents' Day 2025-02-17
    pd.testing.assert_frame_equal(
        html[VALUE_COLUMNS].reset_index(drop=True), window[VALUE_COLUMNS].reset_index(drop=True)
    )
    assert _cell(html, "2025-02-25", "Total")["flow_usd_millions"] == -1113.7  # '(1,113.7)'
    assert _cell(html, "2025-02-17", "Total")["row_all_empty"]
    assert html["source_line"].is_monotonic_increasing


def test_html_minimal_page_and_footer_rows() -> None:
    page = b"""<html><body>
<table class="cumulative"><tr><td>01 Jan 2024</td><td>9</td></tr></table>
<table class="etf">
<tr><th></th><th>IBIT</th><th>GBTC</th><th>Total</th></tr>
<tr><th>Fee</th><th>0.25%</th><th>1.50%</th><th></th></tr>
<tr><td>11 Jan 2024</td><td>111.7</td><td><span class="redFont">(95.1)</span></td><td>16.6</td></tr>
<tr><td>15 Jan 2024</td><td>-</td><td>-</td><td>0.0</td></tr>
<tr><td>Total</td><td>111.7</td><td>(95.1)</td><td>16.6</td></tr>
<tr><td>Average</td><td>111.7</td><td>(95.1)</td><td>16.6</td></tr>
<tr><td>Maximum</td><td>111.7</td><td>(95.1)</td><td>16.6</td></tr>
<tr><td>Minimum</td><td>111.7</td><td>(95.1)</td><td>16.6</td></tr>
</table></body></html>"""
    result = _parse(page)
    frame = result.frame
    assert result.rejects == []
    assert frame["flow_date"].unique().tolist() == [
        pd.Timestamp("2024-01-11"),
        pd.Timestamp("2024-01-15"),
    ]
    assert frame["flow_usd_millions"].iloc[:3].tolist() == [111.7, -95.1, 16.6]
    assert frame["row_all_empty"].tolist() == [False] * 3 + [True] * 3
    assert frame["source_line"].iloc[0] == 6


def test_html_without_etf_table() -> None:
    with pytest.raises(FileFormatError, match="etf"):
        _parse(b"<html><body><p>Just a moment...</p></body></html>")


def test_garbage_number_is_exactly_one_reject(read_landing) -> None:
    text = read_landing(BTC_CSV).decode()
    text = text.replace("2025-02-25,-164.4,", "2025-02-25,-16x4.4,", 1)
    result = _parse(text.encode())
    assert len(result.rejects) == 1
    reject = result.rejects[0]
    assert (reject.line, reject.column, reject.raw_value) == (295, "IBIT", "-16x4.4")
    day = result.frame[result.frame["flow_date"] == pd.Timestamp("2025-02-25")]
    assert "IBIT" not in set(day["fund"]) and len(day) == 12  # only that cell is dropped


def test_missing_total_column_is_named() -> None:
    with pytest.raises(FileFormatError) as err:
        _parse(b"date,IBIT,FBTC\n2024-01-11,111.7,227.0\n")
    assert err.value.column == "Total" and err.value.line == 1


def test_bad_date_rejects_the_row() -> None:
    result = _parse(b"date,IBIT,Total\n2024-01-11,111.7,111.7\n11/01/2024,1.0,1.0\n")
    assert [(r.line, r.column) for r in result.rejects] == [(3, "date")]
    assert len(result.frame) == 2

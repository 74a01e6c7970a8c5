"""Issue 8.4: absurd values are rejected by rule name; every rule checked on the real files.

The survey runs every landing file of the shipped catalog through its parser and the loader's
row rules (no warehouse): exactly nine rows of the real data are implausible, all of them
Yahoo FX ticks that FRED contradicts, while the real crashes load.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from ingest.catalog import load_catalog
from ingest.config import REPO_ROOT, Settings
from ingest.datasets import DATASETS
from ingest.loader import validate_rows
from ingest.parsers import FORMATS, ParseContext
from ingest.parsers.base import Reject
from ingest.pipeline import ingest_entry
from ingest.plausibility import RULES
from tests.ingest.workspace import catalog_of, make_workspace, query, scalar


@dataclass(frozen=True)
class Implausible:
    source_id: str
    day: date  # the bar's date, from the parse before any rule
    rule: str
    raw_value: str | None


@dataclass
class Survey:
    kept: dict[str, pd.DataFrame] = field(default_factory=dict)
    implausible: list[Implausible] = field(default_factory=list)


RULE_NAMES = {rule.name for rule in RULES}


def _rule_of(reject: Reject) -> str | None:
    name = reject.reason.split(":", 1)[0]
    return name if name in RULE_NAMES else None


def _day_of_line(frame: pd.DataFrame, line: int | None) -> date:
    dates = frame.get("bar_date", frame.get("incident_date", frame.get("flow_date")))
    return pd.Timestamp(dates[frame["source_line"] == line].iloc[0]).date()


@pytest.fixture(scope="module")
def survey(landing_dir: Path) -> Survey:
    catalog = load_catalog(REPO_ROOT / "catalog" / "series.yml", landing_dir)
    result = Survey()
    for entry in catalog.entries:
        for spec in entry.landing:
            ctx = ParseContext(spec.path, entry.id, dict(spec.options))
            parsed = FORMATS[spec.format].parser((landing_dir / spec.path).read_bytes(), ctx)
            frame = parsed.frame.reset_index(drop=True)
            kept, rejects = validate_rows(frame, DATASETS[spec.dataset], entry.asset_class)
            source_id = entry.source_id(spec)
            result.kept[source_id] = kept
            result.implausible += [
                Implausible(source_id, _day_of_line(frame, r.line), rule, r.raw_value)
                for r in rejects
                if (rule := _rule_of(r))
            ]
    return result


# Every implausible row of the real landing folder: (source, bar date, rule).
REAL_IMPLAUSIBLE = {
    ("usdcny:yahoo_CNY=X_2001-2026", date(2011, 7, 15), "spike_and_revert"),
    ("usdcny:yahoo_CNY=X_2001-2026", date(2016, 12, 5), "spike_and_revert"),
    ("eurusd:yahoo_EURUSD=X_2003-2026", date(2008, 1, 7), "spike_and_revert"),
    ("eurusd:yahoo_EURUSD=X_2003-2026", date(2008, 2, 7), "spike_and_revert"),
    ("eurusd:yahoo_EURUSD=X_2003-2026", date(2008, 9, 5), "spike_and_revert"),
    ("eurusd:yahoo_EURUSD=X_2003-2026", date(2008, 10, 7), "spike_and_revert"),
    ("eurusd:yahoo_EURUSD=X_2003-2026", date(2008, 12, 5), "spike_and_revert"),
    ("usdjpy:yahoo_JPY=X_1996-2026", date(2008, 10, 7), "spike_and_revert"),
    ("usdjpy:yahoo_JPY=X_1996-2026", date(2008, 12, 5), "spike_and_revert"),
}
FRED_OF = {
    "usdcny": "usdcny:fred_DEXCHUS_values",
    "eurusd": "eurusd:fred_DEXUSEU_values",
    "usdjpy": "usdjpy:fred_DEXJPUS_values",
}


def test_the_real_landing_folder_has_exactly_nine_implausible_rows(survey: Survey) -> None:
    assert {(i.source_id, i.day, i.rule) for i in survey.implausible} == REAL_IMPLAUSIBLE


def test_each_rejected_fx_tick_is_contradicted_by_fred(survey: Survey) -> None:
    """The rejected close is 5-19% off FRED that day; the days around it agree within 1.5%."""
    for bad in survey.implausible:
        fred = survey.kept[FRED_OF[bad.source_id.split(":")[0]]].set_index("bar_date")["close"]
        yahoo = survey.kept[bad.source_id].set_index("bar_date")["close"]
        day = pd.Timestamp(bad.day)
        assert abs(float(bad.raw_value) / fred[day] - 1) > 0.05, bad
        assert day not in yahoo.index
        for neighbour in (yahoo[:day].index[-1], yahoo[day:].index[0]):
            assert abs(yahoo[neighbour] / fred[neighbour] - 1) < 0.015, (bad, neighbour)


@pytest.mark.parametrize(
    ("source_id", "day", "close"),
    [
        # The COVID crash: BTC -39%, ETH -45% in a day, VIX at its record close.
        ("btc:cryptoquant_btc_usd_price_volume__daily", "2020-03-12", 4845.40529438),
        ("eth:binance_spot_1d_ETHUSDT", "2020-03-12", 107.82),
        ("vix:cboe_vix-daily", "2020-03-16", 82.69),
        ("spx:yf_^GSPC", "2020-03-16", 2386.1298828125),
        # Bitcoin's first Mt.Gox day: x69 over the day before, and it stays there.
        ("btc:cryptoquant_btc_usd_price_volume__daily", "2010-07-17", 0.04951),
        # The dot-com crash of MSTR (-62%), the 1994 yuan devaluation (+50%), fed funds 1958.
        ("mstr:adjclose_MSTR", "2000-03-20", 86.75),
        ("usdcny:fred_DEXCHUS_values", "1994-01-03", 8.7217),
        ("fed_funds:fred_DFF_values", "1958-10-30", 1.5),
    ],
)
def test_real_crashes_load(survey: Survey, source_id: str, day: str, close: float) -> None:
    kept = survey.kept[source_id].set_index("bar_date")["close"]
    assert kept[pd.Timestamp(day)] == pytest.approx(close, rel=1e-12)


def test_the_terra_collapse_loads_as_the_largest_hack(survey: Survey) -> None:
    """LUNA's 2022-05 collapse: De.Fi books 40 billion USD lost, below the 1e11 bound."""
    rekt = survey.kept["hacks_defi_rekt:defi_rekt_database_all_records"]
    terra = rekt[rekt["name"] == "Terra Classic"]
    assert terra["funds_lost_usd"].tolist() == [40_000_000_000.0]
    assert terra["incident_date"].iloc[0] == pd.Timestamp("2022-05-08")


# ------------------------------------------------------------------ copies of real files


FLOWS_FILE = "etf_flows/farside_btc_etf_flows__daily.csv"
NVDA_FILE = "equities/yf_NVDA.csv"
NVDA_ROWS = 6938
BTC_FILE = "crypto_prices/binance_spot_1d_BTCUSDT.csv"
IBIT_FILE = "equities/adjclose_IBIT.csv"
CATALOG = f"""
- id: nvda
  asset_class: equity
  calendar: XNYS
  landing: {{path: {NVDA_FILE}, format: yahoo_csv}}
- id: btc
  asset_class: crypto
  calendar: 24/7
  landing: {{path: {BTC_FILE}, format: binance_klines_csv}}
- id: ibit
  asset_class: etf
  calendar: XNYS
  landing: {{path: {IBIT_FILE}, format: yahoo_csv, last_row_intraday: true}}
- id: btc_etf_flows
  asset_class: flow
  calendar: XNYS
  landing: {{path: {FLOWS_FILE}, format: farside_csv, product: BTC}}
"""


@pytest.fixture
def settings(tmp_path: Path, landing_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    files = [NVDA_FILE, BTC_FILE, IBIT_FILE, FLOWS_FILE]
    return make_workspace(tmp_path, landing_dir, monkeypatch, files, CATALOG)


def _edit_line(path: Path, starts_with: str, edit) -> int:
    """Apply ``edit`` to the one line starting with ``starts_with``; return its line number."""
    lines = path.read_text().splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, 1) if line.startswith(starts_with))
    lines[number - 1] = edit(lines[number - 1])
    path.write_text("".join(lines))
    return number


def _set_cell(line: str, column: int, value: str) -> str:
    cells = line.rstrip("\n").split(",")
    cells[column] = value
    return ",".join(cells) + "\n"


def test_1e308_2099_and_inf_rows_of_a_yahoo_file_are_rejected_by_rule(
    settings: Settings,
) -> None:
    path = settings.landing_dir / NVDA_FILE
    close = 4  # Date,Open,High,Low,Close,...
    huge = _edit_line(path, "2025-01-24 ", lambda line: _set_cell(line, close, "1e308"))
    infinite = _edit_line(path, "2025-01-23 ", lambda line: _set_cell(line, close, "inf"))
    text = path.read_text()
    last = text.splitlines()[-1]
    path.write_text(text + "2099-12-31 00:00:00-05:00" + last[last.index(",") :] + "\n")
    future = len(text.splitlines()) + 1

    report = ingest_entry(settings, catalog_of(settings).get("nvda"))

    assert not report.failed
    assert report.rows_loaded == NVDA_ROWS - 2  # 6939 data rows, three rejected
    rejects = query(settings, "select line, column_name, reason, raw_value from raw.rejects")
    by_line = {line: (column, reason.split(":")[0], raw) for line, column, reason, raw in rejects}
    assert by_line == {
        infinite: ("close", "non_finite", "inf"),
        future: ("bar_date", "future_date", "2099-12-31"),
        huge: ("close", "absurd_magnitude", "1e+308"),
    }
    assert scalar(settings, "select max(close) from raw.daily_bars") < 1000
    assert scalar(settings, "select max(bar_date) from raw.daily_bars").isoformat() == "2026-08-21"
    real_close = "select close from raw.daily_bars where bar_date = '2025-01-27'"
    assert scalar(settings, real_close) == pytest.approx(118.24340057373047, rel=1e-12)


def test_a_crypto_row_before_the_genesis_block_is_rejected(settings: Settings) -> None:
    path = settings.landing_dir / BTC_FILE
    lines = path.read_text().splitlines(keepends=True)
    lines.insert(1, lines[1].replace("2018-01-01 00:00:00+00:00", "2008-12-31 00:00:00+00:00"))
    path.write_text("".join(lines))

    report = ingest_entry(settings, catalog_of(settings).get("btc"))

    assert report.rows_loaded == 2924 and report.rows_rejected == 1
    (reason,) = query(settings, "select reason from raw.rejects where line = 2")[0]
    assert reason.startswith("before_plausible_start: dated 2008-12-31, before 2009-01-03")
    covid = "select close from raw.daily_bars where bar_date = '2020-03-12'"
    assert scalar(settings, covid) == 4800.0


def test_a_one_day_x10_spike_that_reverts_is_rejected(settings: Settings) -> None:
    path = settings.landing_dir / IBIT_FILE
    spiked = _edit_line(path, "2025-01-27,", lambda line: "2025-01-27,576.6999816894531\n")

    report = ingest_entry(settings, catalog_of(settings).get("ibit"))

    assert report.rows_loaded == 639
    (reason,) = query(settings, "select reason from raw.rejects where line = ?", [spiked])[0]
    assert reason.startswith("spike_and_revert: close 576.7 jumps +")
    neighbours = query(
        settings,
        "select bar_date::varchar, close from raw.daily_bars "
        "where bar_date between '2025-01-24' and '2025-01-28' order by 1",
    )
    assert [day for day, _ in neighbours] == ["2025-01-24", "2025-01-28"]


def test_etf_flows_dated_before_the_first_spot_etf_day_are_rejected(settings: Settings) -> None:
    path = settings.landing_dir / FLOWS_FILE
    lines = path.read_text().splitlines(keepends=True)
    lines.insert(1, lines[1].replace("2024-01-11,", "2023-12-29,", 1))
    path.write_text("".join(lines))

    report = ingest_entry(settings, catalog_of(settings).get("btc_etf_flows"))

    assert report.rows_loaded == 579 * 13  # 579 real days, 12 funds and the Total
    reasons = query(settings, "select distinct line, split_part(reason, ':', 1) from raw.rejects")
    assert reasons == [(2, "before_plausible_start")]
    total = "select flow_usd_millions from raw.etf_flows where fund = 'Total' and flow_date = ?"
    assert scalar(settings, total, ["2025-02-25"]) == -1113.7

"""Issue 8.2: a header-only export must never erase a source's history (shrink protection)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.config import Settings
from ingest.pipeline import ingest_entry
from ingest.shrink import MAX_DROP_FRACTION
from tests.ingest.workspace import catalog_of, make_workspace, query, scalar

IBIT_FILE = "equities/adjclose_IBIT.csv"
CATALOG = f"""
- id: ibit
  asset_class: etf
  calendar: XNYS
  landing: {{path: {IBIT_FILE}, format: yahoo_csv, last_row_intraday: true}}
"""
IBIT_ROWS = 640  # 641 data lines; the last one is an intraday snapshot
IBIT_CLOSE_2025_01_27 = 57.66999816894531
SOURCE = "ibit:adjclose_IBIT"


@pytest.fixture
def settings(tmp_path: Path, landing_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    settings = make_workspace(tmp_path, landing_dir, monkeypatch, [IBIT_FILE], CATALOG)
    report = ingest_entry(settings, catalog_of(settings).get("ibit"))
    assert not report.failed and report.rows_loaded == IBIT_ROWS
    return settings


def _ibit_rows(settings: Settings) -> int:
    return scalar(settings, "select count(*) from raw.daily_bars where series_id = 'ibit'")


def _close_2025_01_27(settings: Settings) -> float:
    return scalar(
        settings,
        "select close from raw.daily_bars where series_id = 'ibit' and bar_date = '2025-01-27'",
    )


def _keep_data_lines(settings: Settings, n: int) -> None:
    path = settings.landing_dir / IBIT_FILE
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[: n + 1]))  # the header and the first n data lines


def test_header_only_export_fails_and_keeps_ibits_640_rows(settings: Settings) -> None:
    (settings.landing_dir / IBIT_FILE).write_text("Date,Close\n")
    report = ingest_entry(settings, catalog_of(settings).get("ibit"))

    assert [s.source_id for s in report.failed] == [SOURCE]
    message = report.failed[0].message
    assert f"would drop {IBIT_ROWS} of the {IBIT_ROWS} rows of raw.daily_bars" in message
    assert "ALLOW_SHRINK=ibit:adjclose_IBIT" in message
    assert _ibit_rows(settings) == IBIT_ROWS
    assert _close_2025_01_27(settings) == IBIT_CLOSE_2025_01_27
    assert query(settings, "select status, rows_loaded, message from raw.loads") == [
        ("failed", 0, message)
    ]
    # The old payload and the old reject (the intraday last row) stay with the old rows.
    assert scalar(settings, "select count(*) from raw.rejects") == 1
    assert scalar(settings, "select count(*) from raw.payloads") == 1


@pytest.mark.parametrize("switch", [SOURCE, "ibit", "1", "all"])
def test_allow_shrink_forces_the_load(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, switch: str
) -> None:
    (settings.landing_dir / IBIT_FILE).write_text("Date,Close\n")
    monkeypatch.setenv("ALLOW_SHRINK", switch)
    report = ingest_entry(settings, catalog_of(settings).get("ibit"))
    assert not report.failed
    assert _ibit_rows(settings) == 0
    assert query(settings, "select status, rows_loaded from raw.loads") == [("loaded", 0)]


def test_allow_shrink_for_another_source_does_not_force_this_one(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    (settings.landing_dir / IBIT_FILE).write_text("Date,Close\n")
    monkeypatch.setenv("ALLOW_SHRINK", "fbtc, fbtc:adjclose_FBTC")
    assert ingest_entry(settings, catalog_of(settings).get("ibit")).failed
    assert _ibit_rows(settings) == IBIT_ROWS


def test_most_means_more_than_half(settings: Settings, landing_dir: Path) -> None:
    """640 -> 320 rows (exactly half dropped) loads; 640 -> 319 (321 dropped) is refused."""
    assert MAX_DROP_FRACTION == 0.5
    entry = catalog_of(settings).get("ibit")
    _keep_data_lines(settings, 321)  # the last kept line becomes the intraday reject
    assert not ingest_entry(settings, entry).failed
    assert _ibit_rows(settings) == 320

    (settings.landing_dir / IBIT_FILE).write_bytes((landing_dir / IBIT_FILE).read_bytes())
    assert not ingest_entry(settings, entry).failed  # growing back is never refused
    assert _ibit_rows(settings) == IBIT_ROWS

    _keep_data_lines(settings, 320)  # a truncated answer that still parses: 319 bars
    report = ingest_entry(settings, entry)
    assert "would drop 321 of the 640 rows" in report.failed[0].message
    assert _ibit_rows(settings) == IBIT_ROWS
    last_day = scalar(settings, "select max(bar_date) from raw.daily_bars")
    assert last_day.isoformat() == "2026-07-31"


def test_a_first_load_of_an_empty_export_has_nothing_to_lose(
    tmp_path: Path, landing_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_workspace(tmp_path, landing_dir, monkeypatch, [IBIT_FILE], CATALOG)
    (settings.landing_dir / IBIT_FILE).write_text("Date,Close\n")
    report = ingest_entry(settings, catalog_of(settings).get("ibit"))
    assert not report.failed and report.rows_loaded == 0

"""Issue 8.7: raw rows of sources removed from the catalog leave with the catalog tables load."""

from __future__ import annotations

from pathlib import Path

import pytest

import ingest.pipeline as pipeline
from ingest.config import Settings
from ingest.pipeline import ingest_entry, load_catalog_tables, sync_catalog_tables
from tests.ingest.workspace import catalog_of, make_workspace, query, scalar, write_catalog

IBIT_FILE = "equities/adjclose_IBIT.csv"
FBTC_FILE = "equities/adjclose_FBTC.csv"
IBIT = f"""
- id: ibit
  asset_class: etf
  calendar: XNYS
  landing: {{path: {IBIT_FILE}, format: yahoo_csv, last_row_intraday: true}}
"""
FBTC = f"""
- id: fbtc
  asset_class: etf
  calendar: XNYS
  landing: {{path: {FBTC_FILE}, format: yahoo_csv, last_row_intraday: true}}
"""
RAW_TABLES = ("daily_bars", "loads", "rejects", "payloads")
FBTC_RAW_ROWS = {"daily_bars": 640, "loads": 1, "rejects": 1, "payloads": 1}


@pytest.fixture
def settings(tmp_path: Path, landing_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """IBIT and FBTC loaded from their real files under a catalog of both."""
    files = [IBIT_FILE, FBTC_FILE]
    settings = make_workspace(tmp_path, landing_dir, monkeypatch, files, IBIT + FBTC)
    catalog = catalog_of(settings)
    assert sync_catalog_tables(settings, catalog).removed == {}
    for entry in catalog.entries:
        assert not ingest_entry(settings, entry).failed
    return settings


def _rows_by_source(settings: Settings) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for table in RAW_TABLES:
        sql = f"select source_id, count(*) from raw.{table} group by 1"
        for source_id, rows in query(settings, sql):
            counts.setdefault(source_id, {})[table] = rows
    return counts


def test_removing_an_entry_removes_its_raw_rows_and_says_so(settings: Settings) -> None:
    assert _rows_by_source(settings)["fbtc:adjclose_FBTC"] == FBTC_RAW_ROWS
    write_catalog(settings.series_file.parent, IBIT)

    sync = sync_catalog_tables(settings, catalog_of(settings))

    assert sync.entries == 1
    assert sync.removed == {"fbtc:adjclose_FBTC": FBTC_RAW_ROWS}
    assert sync.removed_rows == 643
    assert sync.summary() == (
        "removed 643 raw rows of 1 source(s) no longer in the catalog: fbtc:adjclose_FBTC (643)"
    )
    assert set(_rows_by_source(settings)) == {"ibit:adjclose_IBIT"}
    ibit_close = "select close from raw.daily_bars where bar_date = '2025-01-27'"
    assert scalar(settings, ibit_close) == 57.66999816894531
    assert query(settings, "select series_id from raw.series") == [("ibit",)]


def test_renaming_a_landing_file_removes_the_old_source_id(settings: Settings) -> None:
    renamed = FBTC.replace("last_row_intraday: true", "last_row_intraday: true, name: fidelity")
    write_catalog(settings.series_file.parent, IBIT + renamed)
    removed = sync_catalog_tables(settings, catalog_of(settings)).removed
    assert removed == {"fbtc:adjclose_FBTC": FBTC_RAW_ROWS}
    assert not ingest_entry(settings, catalog_of(settings).get("fbtc")).failed
    assert _rows_by_source(settings)["fbtc:fidelity"] == FBTC_RAW_ROWS


def test_load_catalog_tables_still_returns_the_entry_count(settings: Settings) -> None:
    write_catalog(settings.series_file.parent, IBIT)
    assert load_catalog_tables(settings, catalog_of(settings)) == 1
    assert "fbtc:adjclose_FBTC" not in _rows_by_source(settings)


def test_the_removal_commits_with_the_catalog_or_not_at_all(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_remove = pipeline.remove_sources_except

    def remove_then_crash(con, keep):
        real_remove(con, keep)
        raise RuntimeError("disk full")

    monkeypatch.setattr(pipeline, "remove_sources_except", remove_then_crash)
    write_catalog(settings.series_file.parent, IBIT)
    with pytest.raises(RuntimeError, match="disk full"):
        sync_catalog_tables(settings, catalog_of(settings))
    assert _rows_by_source(settings)["fbtc:adjclose_FBTC"] == FBTC_RAW_ROWS
    assert query(settings, "select series_id from raw.series order by 1") == [("fbtc",), ("ibit",)]

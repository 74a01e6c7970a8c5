"""Ingest end to end without Dagster: malformed copies of real files, idempotency, live mode."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from ingest.catalog import load_catalog
from ingest.config import load_settings
from ingest.errors import LandingMissingError
from ingest.pipeline import check_landing_dir, ingest_entry

CATALOG = """
- id: hacks_defillama
  asset_class: hack
  landing: {path: hacks/defillama_hacks.json, format: defillama_hacks_json}
  live: {source: defillama_hacks}
- id: btc_etf_flows
  asset_class: flow
  calendar: XNYS
  landing: {path: etf_flows/farside_btc_etf_flows__daily.csv, format: farside_csv, product: BTC}
- id: us10y
  asset_class: rate
  calendar: XNYS
  landing: {path: macro/fred_DGS10.csv, format: fred_csv}
  live: {source: fred, series: DGS10}
"""


@pytest.fixture
def workspace(tmp_path: Path, landing_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private landing folder holding copies of three real files, and a private warehouse."""
    landing = tmp_path / "landing"
    for relative in (
        "hacks/defillama_hacks.json",
        "etf_flows/farside_btc_etf_flows__daily.csv",
        "macro/fred_DGS10.csv",
    ):
        (landing / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(landing_dir / relative, landing / relative)
    (tmp_path / "series.yml").write_text(CATALOG)
    monkeypatch.setenv("LANDING_DIR", str(landing))
    monkeypatch.setenv("WAREHOUSE_DB", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("ARCHIVE_DIR", str(tmp_path / "archive"))
    monkeypatch.setenv("SERIES_FILE", str(tmp_path / "series.yml"))
    monkeypatch.setenv("INGEST_MODE", "landing")
    return tmp_path


def _count(db: Path, sql: str) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchone()[0]


def test_truncated_json_fails_with_position_and_keeps_previous_rows(workspace: Path) -> None:
    settings = load_settings()
    entry = load_catalog(settings.series_file).get("hacks_defillama")
    assert not ingest_entry(settings, entry).failed
    db = settings.warehouse_db
    assert _count(db, "select count(*) from raw.hacks_defillama") == 538

    target = settings.landing_dir / "hacks/defillama_hacks.json"
    target.write_bytes(target.read_bytes()[:70_000])  # cut mid-record
    report = ingest_entry(settings, entry)
    assert len(report.failed) == 1
    message = report.failed[0].message
    assert "hacks/defillama_hacks.json" in message and "line 1" in message
    assert _count(db, "select count(*) from raw.hacks_defillama") == 538  # nothing lost
    assert _count(db, "select count(*) from raw.hacks_defillama where name = 'Bybit'") == 1
    assert _count(db, "select count(*) from raw.loads where status = 'failed'") == 1


def test_missing_column_names_file_line_and_column(workspace: Path) -> None:
    settings = load_settings()
    entry = load_catalog(settings.series_file).get("us10y")
    path = settings.landing_dir / "macro/fred_DGS10.csv"
    path.write_text(path.read_text().replace("observation_date,DGS10", "when,DGS10", 1))
    report = ingest_entry(settings, entry)
    assert report.failed
    assert "macro/fred_DGS10.csv" in report.failed[0].message
    assert "line 1" in report.failed[0].message


def test_garbage_cell_is_rejected_with_its_line_and_the_rest_loads(workspace: Path) -> None:
    settings = load_settings()
    entry = load_catalog(settings.series_file).get("btc_etf_flows")
    path = settings.landing_dir / "etf_flows/farside_btc_etf_flows__daily.csv"
    lines = path.read_text().splitlines(keepends=True)
    line_no = next(i for i, line in enumerate(lines, 1) if line.startswith("2025-02-25,"))
    lines[line_no - 1] = lines[line_no - 1].replace("-1113.7", "-11x3.7")
    path.write_text("".join(lines))
    report = ingest_entry(settings, entry)
    assert not report.failed
    db = settings.warehouse_db
    rejects = (
        duckdb.connect(str(db), read_only=True)
        .execute("select line, column_name, raw_value from raw.rejects")
        .fetchall()
    )
    assert rejects == [(line_no, "Total", "-11x3.7")]
    assert (
        _count(
            db,
            "select count(*) from raw.etf_flows where fund = 'IBIT' and flow_date = '2025-02-25'",
        )
        == 1
    )


def test_second_load_leaves_the_same_rows(workspace: Path) -> None:
    settings = load_settings()
    catalog = load_catalog(settings.series_file)
    for entry in catalog.entries:
        ingest_entry(settings, entry)
    db = settings.warehouse_db
    tables = ("hacks_defillama", "etf_flows", "daily_bars", "rejects", "payloads")
    first = {t: _count(db, f"select count(*) from raw.{t}") for t in tables}
    for entry in catalog.entries:
        ingest_entry(settings, entry)
    assert {t: _count(db, f"select count(*) from raw.{t}") for t in tables} == first
    assert first["etf_flows"] == 579 * 13
    # every payload is archived verbatim under its hash
    with duckdb.connect(str(db), read_only=True) as con:
        for sha, path in con.execute(
            "select payload_sha256, archive_path from raw.payloads"
        ).fetchall():
            assert Path(path).name == sha and Path(path).is_file()


def test_missing_landing_folder_says_how_to_fix(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANDING_DIR", str(workspace / "nowhere"))
    with pytest.raises(LandingMissingError, match="LANDING_DIR"):
        check_landing_dir(load_settings())


def test_live_mode_fetches_archives_and_loads(
    workspace: Path, landing_dir: Path, httpserver, monkeypatch
) -> None:
    """INGEST_MODE=live against recorded real responses served on 127.0.0.1."""
    httpserver.expect_request("/hacks").respond_with_data(
        (landing_dir / "hacks/defillama_hacks.json").read_bytes(), content_type="application/json"
    )
    httpserver.expect_request("/graph/fredgraph.csv", query_string="id=DGS10").respond_with_data(
        (landing_dir / "macro/fred_DGS10.csv").read_bytes(), content_type="text/csv"
    )
    base = httpserver.url_for("").rstrip("/")
    monkeypatch.setenv("INGEST_MODE", "live")
    monkeypatch.setenv("DEFILLAMA_BASE_URL", base)
    monkeypatch.setenv("FRED_BASE_URL", base)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    settings = load_settings()
    catalog = load_catalog(settings.series_file)
    for series_id in ("hacks_defillama", "us10y"):
        report = ingest_entry(settings, catalog.get(series_id))
        assert not report.failed, report.failed
        assert [s.source_id for s in report.sources] == [f"{series_id}:live"]
    db = settings.warehouse_db
    assert (
        _count(
            db, "select count(*) from raw.hacks_defillama where source_id = 'hacks_defillama:live'"
        )
        == 538
    )
    assert (
        _count(
            db,
            "select close from raw.daily_bars where series_id = 'us10y' and bar_date = '2025-01-27'",
        )
        == 4.53
    )
    assert (
        _count(
            db,
            "select count(*) from raw.payloads where origin like 'http://%/hacks' and source_id = 'hacks_defillama:live'",
        )
        == 1
    )

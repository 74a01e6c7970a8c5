"""The real Dagster job, end to end on the real landing folder: make run's promises."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.e2e_support import build_warehouse, clone_build

TABLES_SQL = """
select table_schema || '.' || table_name
from information_schema.tables
where table_schema in ('raw', 'staging', 'intermediate', 'marts') and table_type = 'BASE TABLE'
"""


def _row_counts(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        tables = [r[0] for r in con.execute(TABLES_SQL).fetchall()]
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}


@pytest.mark.e2e
def test_every_dataset_lands_in_raw_and_marts(built_warehouse: Path) -> None:
    counts = _row_counts(built_warehouse)
    for table in (
        "raw.daily_bars",
        "raw.etf_flows",
        "raw.hacks_defillama",
        "raw.hacks_slowmist",
        "raw.hacks_defi_rekt",
        "raw.hacks_blocksec",
        "raw.hacks_rekt_news",
        "raw.calendar_events",
        "raw.trading_sessions",
        "marts.dim_asset",
        "marts.fct_daily_prices",
    ):
        assert counts.get(table, 0) > 0, table
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        # every catalog source loaded, none failed
        assert (
            con.execute("select count(*) from raw.loads where status <> 'loaded'").fetchone()[0]
            == 0
        )
        assert con.execute("select count(distinct source_id) from raw.loads").fetchone()[0] == 79
        # every rejected row says where and why
        assert (
            con.execute(
                "select count(*) from raw.rejects where reason is null or origin is null"
            ).fetchone()[0]
            == 0
        )
        # the intraday snapshot rows of the close-only files are rejects, not bars
        assert (
            con.execute(
                "select count(*) from raw.daily_bars where source_id = 'baba:adjclose_BABA' "
                "and bar_date = '2026-08-03'"
            ).fetchone()[0]
            == 0
        )


@pytest.mark.e2e
def test_second_run_changes_no_row_counts(
    built_warehouse: Path, landing_dir: Path, tmp_path: Path
) -> None:
    # the build and its published copy, as a second `make run` finds them
    copy = clone_build(built_warehouse, tmp_path / "second") / "warehouse.duckdb"
    before = _row_counts(copy)
    result = build_warehouse(copy, landing_dir)
    assert result.success, result.failures
    assert _row_counts(copy) == before


@pytest.mark.e2e
def test_subset_catalog_builds_with_other_marts_empty(user_catalog_build: Path) -> None:
    # the catalog names spx, nvda, vix and the user's acme; every other file is in the landing
    # folder, and nothing of it is loaded
    db = user_catalog_build
    with duckdb.connect(str(db), read_only=True) as con:
        assert sorted(
            r[0] for r in con.execute("select asset_id from marts.dim_asset").fetchall()
        ) == ["acme", "nvda", "spx", "vix"]
        assert con.execute("select count(*) from staging.stg_etf_flows").fetchone()[0] == 0
        assert con.execute("select count(*) from staging.stg_hacks_defillama").fetchone()[0] == 0
        nvda = con.execute(
            "select round(close, 4) from marts.fct_daily_prices "
            "where asset_id = 'nvda' and trade_date = '2025-01-27'"
        ).fetchone()[0]
        assert nvda == pytest.approx(118.2434, abs=1e-3)
        # findings whose data is not in this catalog still appear, as inconclusive without value
        findings = dict(
            con.execute(
                "select claim_id, verdict || ':' || coalesce(cast(value as varchar), 'null') "
                "from marts.fct_findings"
            ).fetchall()
        )
        assert findings["bybit_btc_etf_outflows"] == "inconclusive:null"
        assert findings["feb_2025_hack_losses"] == "inconclusive:null"
        assert len(findings) >= 9

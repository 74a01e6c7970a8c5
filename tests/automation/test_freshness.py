"""Freshness per source: judged in live mode against its expectation, reported offline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from ingest.catalog import load_catalog
from ingest.config import REPO_ROOT
from orchestration.freshness import EXPECTATIONS, evaluate

pytestmark = pytest.mark.e2e

# Farside's BTC export in the shared data ends on Friday 2026-04-10.
LAST_FLOW_DAY = "2026-04-10"


@pytest.fixture(scope="module")
def con(built_warehouse: Path):
    connection = duckdb.connect(str(built_warehouse), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(REPO_ROOT / "catalog" / "series.yml")


def test_btc_flows_are_fresh_the_next_evening_and_stale_a_week_later(con, catalog) -> None:
    flows = catalog.get("btc_etf_flows")
    assert EXPECTATIONS[flows.asset_class].max_age == 1
    # Monday 2026-04-13 21:30 UTC: Monday's session has closed (the weekend does not count),
    # and Farside has not posted it yet.
    next_evening = evaluate(con, flows, datetime(2026, 4, 13, 21, 30, tzinfo=UTC), live=True)
    assert next_evening.passed
    assert next_evening.metadata["newest_row"].value == LAST_FLOW_DAY
    assert next_evening.metadata["age_sessions"].value == 1
    week_later = evaluate(con, flows, datetime(2026, 4, 20, 21, 30, tzinfo=UTC), live=True)
    assert not week_later.passed
    assert week_later.metadata["age_sessions"].value == 6
    assert "stale" in week_later.description


def test_an_offline_snapshot_reports_its_age_without_failing(con, catalog) -> None:
    today = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    result = evaluate(con, catalog.get("btc_etf_flows"), today, live=False)
    assert result.passed
    assert result.metadata["mode"].value == "landing"
    assert result.metadata["age_sessions"].value > 150  # mid-April to late November
    assert "offline snapshot" in result.description


def test_hack_data_age_counts_calendar_days(con, catalog) -> None:
    entry = catalog.get("hacks_defillama")
    newest = con.execute("select max(incident_date) from raw.hacks_defillama").fetchone()[0]
    newest_day = datetime.combine(newest, datetime.min.time(), tzinfo=UTC)
    fresh = evaluate(con, entry, newest_day + timedelta(days=10), live=True)
    assert fresh.passed and fresh.metadata["age_days"].value == 10
    stale = evaluate(con, entry, newest_day + timedelta(days=20), live=True)
    assert not stale.passed and stale.metadata["max_age_days"].value == 14

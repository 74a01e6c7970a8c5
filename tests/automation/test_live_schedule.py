"""Live mode end to end: a scheduled tick against a local upstream flows on to the published copy.

DeFiLlama's /hacks is served on 127.0.0.1 from the real export: first without its newest incident
(DxSale, 2026-05-28, $7.3M), then in full, as the API would answer a day later.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from tests.e2e_support import build_warehouse

pytestmark = pytest.mark.e2e

CATALOG = """
- id: hacks_defillama
  name: DeFiLlama hacks
  asset_class: hack
  landing: {path: hacks/defillama_hacks.json, format: defillama_hacks_json}
  live: {source: defillama_hacks}
"""
NEWEST = "DxSale"


def _dxsale_rows(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "select count(*) from marts.fct_hack_incident where name = ?", [NEWEST]
        ).fetchone()[0]


def test_a_scheduled_tick_ingests_new_rows_up_to_the_published_copy(
    landing_dir: Path, tmp_path: Path, httpserver, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = json.loads((landing_dir / "hacks" / "defillama_hacks.json").read_text())
    assert sum(r["name"] == NEWEST for r in records) == 1
    yesterday = [r for r in records if r["name"] != NEWEST]
    httpserver.expect_ordered_request("/hacks").respond_with_json(yesterday)
    httpserver.expect_ordered_request("/hacks").respond_with_json(records)
    catalog = tmp_path / "live.yml"
    catalog.write_text(CATALOG)
    live = {
        "INGEST_MODE": "live",
        "DEFILLAMA_BASE_URL": httpserver.url_for("").rstrip("/"),
        "NO_PROXY": "127.0.0.1,localhost",
    }
    db = tmp_path / "warehouse.duckdb"
    serving = tmp_path / "serving" / "warehouse.duckdb"

    first = build_warehouse(db, landing_dir, series_file=catalog, extra_env=live)
    assert first.success, first.failures
    assert _dxsale_rows(serving) == 0
    (fresh,) = [
        e.event_specific_data
        for e in first.events_of("ASSET_CHECK_EVALUATION")
        if e.event_specific_data.check_name == "fresh"
    ]
    # Live mode: the data's age is judged (the newest incident is 2026-05-28: stale by now, a
    # warning) and dbt's own source freshness (when raw.hacks_defillama was loaded) is shown.
    assert fresh.metadata["mode"].value == "live"
    assert fresh.metadata["dbt_source_freshness_hacks_defillama"].value.startswith("pass, loaded")

    for name, value in {**live, "SERIES_FILE": str(catalog)}.items():
        monkeypatch.setenv(name, value)
    from orchestration.definitions import build_definitions

    schedule = build_definitions().get_schedule_def("defillama_hacks_schedule")
    tick = datetime(2026, 5, 29, 6, 0, tzinfo=UTC)
    with dg.build_schedule_context(scheduled_execution_time=tick) as context:
        (request,) = schedule.evaluate_tick(context).run_requests
    refresh = build_warehouse(
        db,
        landing_dir,
        series_file=catalog,
        extra_env=live,
        job_name=schedule.job_name,
        tags=dict(request.tags),
    )
    assert refresh.success, refresh.failures
    assert _dxsale_rows(db) == 1  # the private marts
    assert _dxsale_rows(serving) == 1  # and what readers see
    with duckdb.connect(str(serving), read_only=True) as con:
        loss = con.execute(
            "select amount_usd from marts.fct_hack_incident where name = ?", [NEWEST]
        ).fetchone()[0]
    assert loss == pytest.approx(7_300_000)

"""What an edit of EVENTS_FILE or STUDIES_FILE rebuilds: `make study` and `make run` build only the
models downstream of the raw tables that changed (publishing.build_state), so the per-asset
sessions and returns the event-study models read are not rebuilt for it, only when prices change.
"""

from __future__ import annotations

from ingest.config import REPO_ROOT
from orchestration.event_config_assets import TABLES
from publishing.build_state import unaffected_nodes

MANIFEST = REPO_ROOT / "dbt_project" / "target" / "manifest.json"


def test_an_events_or_studies_edit_leaves_the_asset_sessions_alone() -> None:
    unaffected = set(unaffected_nodes(MANIFEST, list(TABLES)))

    assert "int_es_asset_sessions" in unaffected
    assert "int_es_assets" in unaffected
    # ... and rebuilds the whole event-study chain that reads them
    assert {"int_es_pairs", "int_es_estimation_sums_even", "fct_car"}.isdisjoint(unaffected)


def test_a_price_change_rebuilds_the_asset_sessions() -> None:
    unaffected = set(unaffected_nodes(MANIFEST, ["daily_bars"]))

    assert "int_es_asset_sessions" not in unaffected
    assert "fct_hack_incident" in unaffected

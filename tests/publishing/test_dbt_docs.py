"""`make docs` builds the dbt documentation site offline, as one self-contained HTML file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from publishing.dbt_docs import build_docs

pytestmark = pytest.mark.e2e


def test_docs_site_is_built_offline_from_a_snapshot(built_warehouse: Path, tmp_path: Path) -> None:
    page = build_docs(built_warehouse, tmp_path / "docs")
    html = page.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=\"https?://", html), "no script from the network"
    catalog = json.loads((tmp_path / "docs" / "catalog.json").read_text())
    node = catalog["nodes"]["model.event_study_warehouse.fct_etf_flow_daily_total"]
    # Column types come from the warehouse itself, descriptions from the YAML.
    assert node["columns"]["publisher_total_usd"]["type"].upper() == "DOUBLE"
    assert "Farside's own" in html and "fct_etf_flow_daily_total" in html

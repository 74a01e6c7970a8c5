"""Every mart declares one grain in its YAML and a dbt test that enforces it.

A BI user sums a measure over a fact table's rows; that is only right when each table has one
grain. The declaration lives in the model's YAML (config.meta.grain); this test reads the dbt
manifest (built by `make setup` / `make test`) so a new mart without a grain fails here.
"""

from __future__ import annotations

import json

import pytest

from orchestration.dbt_project import dbt_project


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads(dbt_project.manifest_path.read_text())


def _marts(manifest: dict) -> dict[str, dict]:
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"].get("schema") == "marts"
    }


def _uniqueness_tests(manifest: dict, model: dict) -> list[list[str]]:
    keys = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test" or model["unique_id"] not in node["depends_on"]["nodes"]:
            continue
        meta = node.get("test_metadata") or {}
        kwargs = meta.get("kwargs", {})
        if meta.get("name") == "unique_combination":
            keys.append(list(kwargs["combination_of_columns"]))
        elif meta.get("name") == "unique":
            keys.append([kwargs["column_name"]])
    return keys


def test_every_mart_declares_a_grain_that_a_test_enforces(manifest: dict) -> None:
    marts = _marts(manifest)
    assert {"fct_etf_flow_daily", "fct_etf_flow_daily_total", "fct_hack_monthly"} <= set(marts)
    missing, untested = [], []
    for name, node in sorted(marts.items()):
        grain = node["config"].get("meta", {}).get("grain")
        if not grain:
            missing.append(name)
        elif sorted(grain) not in [sorted(k) for k in _uniqueness_tests(manifest, node)]:
            untested.append(f"{name} {grain}")
    assert not missing, f"marts without config.meta.grain in their YAML: {missing}"
    assert not untested, f"marts whose grain no unique/unique_combination test enforces: {untested}"


def test_no_mart_mixes_grains_with_a_grain_column(manifest: dict) -> None:
    """A 'grain' or 'is_total' column means two grains in one table (the old Total rows)."""
    mixed = [
        name
        for name, node in _marts(manifest).items()
        if {"grain", "is_total"} & set(node["columns"])
    ]
    assert mixed == []

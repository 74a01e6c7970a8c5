"""The `warehouse` resource: built from the environment when the definitions are, given to the
assets that read settings, and the only way dbt learns its paths (no os.environ writes)."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import dagster as dg
import pytest

from ingest.config import load_settings
from orchestration.resources import WarehouseSettings


def test_the_resource_carries_the_settings_of_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    monkeypatch.setenv("WAREHOUSE_DB", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("SERVING_DB", "elsewhere/served.duckdb")
    monkeypatch.setenv("FULL", "1")
    from orchestration.definitions import build_definitions

    defs = build_definitions()
    resource = defs.resources["warehouse"]
    assert isinstance(resource, WarehouseSettings)
    assert resource.settings == load_settings()
    assert resource.settings.warehouse_db == tmp_path / "w.duckdb"
    assert resource.settings.full is True
    # Every asset (ingest, event config, dbt, publish, report) takes its settings from it.
    without = [a.node_def.name for a in defs.assets if "warehouse" not in a.required_resource_keys]
    assert not without
    assert all("warehouse" in c.required_resource_keys for c in defs.asset_checks)
    graph = defs.resolve_asset_graph()
    dbt_model = graph.get(dg.AssetKey(["marts", "fct_findings"])).assets_def
    assert dbt_model.required_resource_keys >= {"dbt", "warehouse"}


def test_round_trip_of_every_field(tmp_path: Path):
    settings = load_settings({"LAKE_DIR": str(tmp_path), "WRITER_WAIT_SECONDS": "3"})
    assert WarehouseSettings.from_settings(settings).settings == settings


def test_assets_read_the_resource_not_the_environment(monkeypatch: pytest.MonkeyPatch):
    """The publish step on a Spark resource skips publishing though the environment says duckdb."""
    monkeypatch.delenv("WAREHOUSE_ENGINE", raising=False)
    from orchestration.publish_assets import SERVING_KEY, build_publish_assets

    [published] = build_publish_assets([])
    spark = WarehouseSettings.from_settings(load_settings({"WAREHOUSE_ENGINE": "spark"}))
    result = dg.materialize([published], resources={"warehouse": spark}, selection=[SERVING_KEY])
    assert result.success
    assert not result.get_asset_materialization_events()  # nothing published from Spark


class _Invocation:
    process = SimpleNamespace(poll=lambda: 0)

    def stream(self):
        return iter(())

    def get_artifact(self, name: str) -> dict:
        return {"results": []}

    def is_successful(self) -> bool:
        return True


class _Dbt:
    """Records the environment dbt would be started with (dagster-dbt copies os.environ)."""

    def cli(self, args, **kwargs) -> _Invocation:
        self.seen = dict(os.environ)  # what the dbt process would inherit
        return _Invocation()


def test_dbt_gets_the_resolved_paths_for_its_call_only(monkeypatch: pytest.MonkeyPatch):
    from orchestration.dbt_assets import _build

    monkeypatch.delenv("WAREHOUSE_DB", raising=False)
    monkeypatch.delenv("WAREHOUSE_PYTHON", raising=False)
    settings = load_settings({"WAREHOUSE_DB": "relative/w.duckdb"})
    dbt = _Dbt()
    assert list(_build(None, dbt, settings, ["build"])) == []
    assert dbt.seen["WAREHOUSE_DB"] == str(settings.warehouse_db)  # absolute: dbt runs elsewhere
    assert Path(dbt.seen["WAREHOUSE_DB"]).is_absolute()
    assert dbt.seen["LAKE_DIR"] == str(settings.lake_dir) and dbt.seen["WAREHOUSE_PYTHON"]
    assert "WAREHOUSE_DB" not in os.environ and "WAREHOUSE_PYTHON" not in os.environ

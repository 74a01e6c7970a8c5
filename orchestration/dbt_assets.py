"""dbt models and tests as Dagster assets and asset checks, one lineage with the ingest assets."""

import os
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster import AssetExecutionContext
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from ingest.config import load_settings
from orchestration.dbt_project import dbt_project
from orchestration.ingest_assets import POOL

LAYERS = ("staging", "intermediate", "marts")


class WarehouseTranslator(DagsterDbtTranslator):
    """dbt sources map onto the raw-table assets; models are grouped by layer folder."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return dg.AssetKey(
            [dbt_resource_props["config"].get("schema") or "dbt", dbt_resource_props["name"]]
        )

    def get_metadata(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, Any]:
        metadata = dict(super().get_metadata(dbt_resource_props))
        if dbt_resource_props.get("name") == "fct_findings":
            # The findings page links to the report that shows them (asset reports/warehouse_report).
            from report.build import default_report_file

            path = default_report_file()
            metadata["report"] = dg.MetadataValue.url(f"file://{path}")
            metadata["report_asset"] = "reports/warehouse_report (make report or make run)"
        return metadata

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        for layer in LAYERS:
            if layer in fqn:
                return layer
        return "marts"


translator = WarehouseTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(
    manifest=dbt_project.manifest_path,
    dagster_dbt_translator=translator,
    pool=POOL,
    project=dbt_project,
)
def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource):
    # dbt and Python must write the same file: hand dbt the resolved absolute path.
    os.environ["WAREHOUSE_DB"] = str(load_settings().warehouse_db)
    yield from dbt.cli(["build"], context=context).stream()

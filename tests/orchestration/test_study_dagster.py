"""`make study`'s report to Dagster (orchestration.study_dagster), without running dbt.

dbt's result events as dbt-core emits them (the fields of its JSON log) for a model it built and
a data test that failed: Dagster's history must then hold the model's materialization and a
failed ERROR check with its failing rows, under the keys the Dagster assets use; without
DAGSTER_HOME the refresh is told why nothing was recorded. The end-to-end path (a real refresh
in Dagster's history) is tests/orchestration/test_study_loop.py.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

from ingest.config import REPO_ROOT, load_settings
from orchestration.study_dagster import RefreshRecord, report
from tests.orchestration.support import instance_at

MANIFEST = REPO_ROOT / "dbt_project" / "target" / "manifest.json"
FCT_CAR = "model.event_study_warehouse.fct_car"


def _grain_test_of_fct_car() -> dict:
    manifest = json.loads(MANIFEST.read_text())
    [test] = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and node.get("attached_node") == FCT_CAR
        and node["name"].startswith("unique_combination_fct_car")
    ]
    return test


def _result_event(name: str, unique_id: str, node_name: str, node_status: str, **data) -> dict:
    node_info = {
        "node_name": node_name,
        "unique_id": unique_id,
        "resource_type": unique_id.split(".")[0],
        "materialized": "test" if unique_id.startswith("test.") else "table",
        "node_status": node_status,
        "node_started_at": "2026-11-30T16:05:33.806630",
        "node_finished_at": "2026-11-30T16:05:34.109382",
    }
    return {
        "info": {"name": name, "invocation_id": "study-test", "msg": node_name},
        "data": {"node_info": node_info, "execution_time": 0.3, **data},
    }


def _record() -> RefreshRecord:
    test = _grain_test_of_fct_car()
    built = _result_event("LogModelResult", FCT_CAR, "fct_car", "success", status="OK")
    failed = _result_event(
        "LogTestResult", test["unique_id"], test["name"], "fail", status="fail", num_failures=3
    )
    return RefreshRecord(
        manifest_path=MANIFEST,
        dbt_results=[built, failed],
        loaded={
            "events": 31,
            "studies": 10,
            "study_event_windows": 40,
            "study_selectors": 10,
            "study_assets": 30,
        },  # fmt: skip
        settings=load_settings(),
    )


@pytest.fixture
def dagster_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "orchestration" / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return home


def test_a_built_model_and_a_failed_test_reach_dagster_as_a_run_records_them(
    dagster_home: Path,
) -> None:
    line = report(_record())
    assert line is not None and line.startswith(
        "Dagster: 6 materializations and 1 check results recorded"
    ), line  # five event tables and fct_car; the grain test
    car = dg.AssetKey(["marts", "fct_car"])
    grain = dg.AssetCheckKey(car, _grain_test_of_fct_car()["name"])
    with instance_at(dagster_home) as instance:
        built = instance.get_latest_materialization_event(car)
        events = instance.get_latest_materialization_event(dg.AssetKey(["raw", "events"]))
        checks = instance.event_log_storage.get_latest_asset_check_execution_by_key([grain])
    assert built is not None and events is not None
    assert built.asset_materialization.metadata["source"].value == "make study"
    assert events.asset_materialization.metadata["rows"].value == 31
    assert events.timestamp <= built.timestamp  # inputs first: eager conditions stay quiet
    [execution] = checks.values()
    assert execution.status == AssetCheckExecutionRecordStatus.FAILED
    evaluation = execution.event.dagster_event.event_specific_data
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert evaluation.metadata["dagster_dbt/failed_row_count"].value == 3
    assert evaluation.metadata["source"].value == "make study"


def test_without_dagster_home_the_refresh_is_told_why_nothing_was_recorded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    assert report(_record()) == ("Dagster not told: DAGSTER_HOME is not set (`make study` sets it)")
    assert report(RefreshRecord()) is None  # dbt built nothing: nothing to say

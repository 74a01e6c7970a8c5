"""Schedules, the landing-folder sensor and the failure sensor, evaluated with Dagster's helpers."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from ingest.catalog import load_catalog
from ingest.config import REPO_ROOT
from orchestration.automation import (
    CADENCES,
    build_landing_sensor,
    build_schedules,
    changed_entries,
    file_sha256,
)

CATALOG = REPO_ROOT / "catalog" / "series.yml"


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    from orchestration.definitions import build_definitions

    return build_definitions()


def _schedule(defs: dg.Definitions, name: str) -> dg.ScheduleDefinition:
    return next(s for s in defs.schedules if s.name == name)


def test_one_schedule_per_live_source_cadence_in_utc(defs: dg.Definitions) -> None:
    by_name = {s.name: s for s in defs.schedules}
    assert set(by_name) == {f"{c.name}_schedule" for c in CADENCES}
    farside = by_name["farside_etf_flows_schedule"]
    assert farside.cron_schedule == "30 23 * * 1-5"  # after the US close, Mon-Fri
    assert all(s.execution_timezone == "UTC" for s in defs.schedules)
    assert by_name["binance_daily_schedule"].cron_schedule == "10 0 * * *"
    assert by_name["defillama_hacks_schedule"].cron_schedule == "0 */6 * * *"


def test_a_schedule_refreshes_its_sources_and_everything_downstream(defs: dg.Definitions) -> None:
    job = defs.resolve_job_def("refresh_farside_etf_flows")
    keys = {k.to_user_string() for k in job.asset_layer.selected_asset_keys}
    assert {"ingest/btc_etf_flows", "ingest/eth_etf_flows"} <= keys
    assert {"marts/fct_etf_flow_daily", "marts/fct_event_etf_flows", "serving/warehouse"} <= keys
    assert "ingest/ibit" not in keys  # a Yahoo series is not refreshed by the Farside schedule


def test_schedules_run_in_live_mode_and_skip_offline(
    defs: dg.Definitions, monkeypatch: pytest.MonkeyPatch
) -> None:
    schedule = _schedule(defs, "farside_etf_flows_schedule")
    tick = datetime(2025, 2, 21, 23, 30, tzinfo=UTC)
    monkeypatch.setenv("INGEST_MODE", "landing")
    with dg.build_schedule_context(scheduled_execution_time=tick) as context:
        skipped = schedule.evaluate_tick(context)
    assert skipped.run_requests == [] and "offline" in skipped.skip_message
    monkeypatch.setenv("INGEST_MODE", "live")
    with dg.build_schedule_context(scheduled_execution_time=tick) as context:
        result = schedule.evaluate_tick(context)
    assert [r.run_key for r in result.run_requests] == [
        "farside_etf_flows:2025-02-21T23:30:00+00:00"
    ]


def _serving_with_loads(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw")
        con.execute(
            "create table raw.loads (source_id varchar, payload_sha256 varchar, status varchar)"
        )
        con.executemany("insert into raw.loads values (?, ?, 'loaded')", rows)
    return path


@pytest.fixture
def landing(tmp_path: Path, landing_dir: Path) -> Path:
    """A landing folder with copies of two real files."""
    folder = tmp_path / "landing"
    for relative in ("equities/adjclose_IBIT.csv", "etf_flows/farside_btc_etf_flows__daily.csv"):
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(landing_dir / relative, folder / relative)
    return folder


TWO_ENTRIES = """
- {id: ibit, asset_class: etf, calendar: XNYS, landing: {path: equities/adjclose_IBIT.csv, format: csv, date_column: Date, value_column: Close}}
- id: btc_etf_flows
  asset_class: flow
  calendar: XNYS
  landing: {path: etf_flows/farside_btc_etf_flows__daily.csv, format: farside_csv, product: BTC}
"""


def test_landing_sensor_requests_only_the_changed_entry_and_its_downstream(
    landing: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog_file = tmp_path / "two.yml"
    catalog_file.write_text(TWO_ENTRIES)
    catalog = load_catalog(catalog_file)
    ibit = landing / "equities/adjclose_IBIT.csv"
    flows = landing / "etf_flows/farside_btc_etf_flows__daily.csv"
    serving = _serving_with_loads(
        tmp_path / "serving" / "warehouse.duckdb",
        [
            ("ibit:adjclose_IBIT", file_sha256(ibit)),
            ("btc_etf_flows:farside_btc_etf_flows__daily", file_sha256(flows)),
        ],
    )
    loaded = {"ibit:adjclose_IBIT": file_sha256(ibit)}
    loaded["btc_etf_flows:farside_btc_etf_flows__daily"] = file_sha256(flows)
    assert changed_entries(catalog, landing, loaded) == {}  # unchanged files trigger nothing
    ibit.touch()  # a new mtime alone is no change
    assert changed_entries(catalog, landing, loaded) == {}

    # A newer export: one more IBIT session appended.
    with open(ibit, "a") as handle:
        handle.write("2026-08-04,36.51\n")
    assert set(changed_entries(catalog, landing, loaded)) == {"ibit"}

    monkeypatch.setenv("SERIES_FILE", str(catalog_file))
    monkeypatch.setenv("LANDING_DIR", str(landing))
    monkeypatch.setenv("SERVING_DB", str(serving))
    monkeypatch.setenv("INGEST_MODE", "landing")
    from orchestration.definitions import build_definitions

    defs = build_definitions()
    sensor = build_landing_sensor(catalog)
    with dg.build_sensor_context(
        repository_def=defs.get_repository_def(), instance=dg.DagsterInstance.ephemeral()
    ) as context:
        requests = sensor.evaluate_tick(context).run_requests
    assert len(requests) == 1
    keys = {k.to_user_string() for k in requests[0].asset_selection}
    assert "ingest/ibit" in keys and "serving/warehouse" in keys
    assert "ingest/btc_etf_flows" not in keys
    assert requests[0].run_key.startswith("landing:ibit:")


def test_landing_sensor_stays_quiet_in_live_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INGEST_MODE", "live")
    sensor = build_landing_sensor(load_catalog(CATALOG))
    with dg.build_sensor_context(instance=dg.DagsterInstance.ephemeral()) as context:
        result = sensor.evaluate_tick(context)
    assert result.run_requests == [] and "live mode" in result.skip_message


def test_the_failure_sensor_and_automation_are_declared(defs: dg.Definitions) -> None:
    assert {s.name for s in defs.sensors} >= {"landing_files", "failed_run_reason"}
    graph = defs.resolve_asset_graph()
    for key in ("marts/fct_car", "serving/warehouse", "reports/warehouse_report"):
        node = graph.get(dg.AssetKey(key.split("/")))
        assert node.automation_condition is not None, key
    assert len(build_schedules(load_catalog(CATALOG))) == len(CADENCES)


def test_a_failed_run_gets_a_one_line_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration import automation

    @dg.op
    def load_prices() -> None:
        raise dg.Failure(
            description="equities/adjclose_IBIT.csv, line 1: missing column 'Close'\nmore detail"
        )

    @dg.job
    def ingest_ibit() -> None:
        load_prices()

    log = tmp_path / "failed_runs.log"
    monkeypatch.setattr(automation, "FAILED_RUNS_LOG", log)
    instance = dg.DagsterInstance.ephemeral()
    result = ingest_ibit.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "PIPELINE_FAILURE")
    context = dg.build_run_status_sensor_context(
        sensor_name="failed_run_reason",
        dagster_event=failure,
        dagster_instance=instance,
        dagster_run=result.dagster_run,
    ).for_run_failure()
    automation.failed_run_reason(context)
    reason = instance.get_run_by_id(result.run_id).tags[automation.FAILURE_TAG]
    assert reason.startswith(f"run {result.run_id[:8]} (ingest_ibit) failed: steps load_prices: ")
    assert "missing column 'Close'" in reason and "\n" not in reason
    assert reason in log.read_text()

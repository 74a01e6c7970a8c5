"""`make study` (orchestration.study): the studies re-run as the analyst saves the event files.

From a published build of the small catalog (spx, nvda, vix), the loop runs in its own process
on a study of NVIDIA around the DeepSeek sell-off. It must: print and publish the study's
results; leave the warehouse file free between refreshes (`make run` is never locked out);
refresh when the events file gains an event, with the build state saved so that `make run`
finds nothing to rebuild, and recorded in Dagster's asset history; and on a broken events file
say file and line and keep what readers see.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import threading
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

from ingest.config import REPO_ROOT, load_settings
from orchestration.__main__ import current_build_if_nothing_changed
from orchestration.run_inputs import run_inputs
from publishing.build_state import plan_build, record_inputs, unaffected_nodes
from publishing.publish import current_build
from tests.orchestration.conftest import SmallBuild
from tests.orchestration.support import (
    NVDA_FILE,
    MakeRun,
    Workspace,
    instance_at,
    make_workspace,
)

pytestmark = pytest.mark.e2e

REFRESH_SECONDS = 240.0  # the first refresh starts dbt in the loop's process; two busy cores
HEADER = "event_id,event_name,event_type,event_time,asset_id,amount_usd,source_url,notes\n"
SELLOFF = "deepseek_selloff,DeepSeek sell-off,market_shock,2025-01-27,nvda,,https://example.org,\n"
R1 = "deepseek_r1_release,DeepSeek-R1 released,ai_release,2025-01-20,nvda,,https://example.org,\n"
STUDY = """
- id: nvda_deepseek
  events: all
  assets: [event]
  model: market_model
  returns: simple
  estimation_window: [-250, -11]
  event_windows: [[0, 0], [-1, 1]]
  anchor: next
  min_estimation_days: 100
"""
DAY0_RETURN = (
    "select actual_return from marts.fct_abnormal_returns where study_id = 'nvda_deepseek' "
    "and event_id = ? and asset_id = 'nvda' and relative_day = 0"
)
CARS = "select event_id from marts.fct_car where study_id = 'nvda_deepseek' and window_end = 0"


class StudyLoop(MakeRun):
    """``python -m orchestration.study`` as `make study` runs it, in its own process group."""

    def command(self, ws: Workspace) -> list[str]:
        return [sys.executable, "-m", "orchestration.study"]


class StudyOnce(StudyLoop):
    """`make study ONCE=1`."""

    def command(self, ws: Workspace) -> list[str]:
        return [*super().command(ws), "--once"]


def _close_return(landing_dir: Path, day: str, previous: str) -> float:
    """NVIDIA's close-to-close return from the landing file itself (Yahoo's Close column)."""
    closes = {}
    for line in (landing_dir / NVDA_FILE).read_text().splitlines()[1:]:
        fields = line.split(",")
        closes[fields[0][:10]] = float(fields[4])
    return closes[day] / closes[previous] - 1


def _save(path: Path, text: str) -> None:
    """As an editor saves: a new file renamed over the old one (never half-written)."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text)
    temporary.replace(path)


def _published(ws: Workspace, sql: str, *params: str) -> list[tuple]:
    with duckdb.connect(str(ws.serving_db), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def _refreshed(loop: StudyLoop) -> list[str]:
    """The lines of one refresh, up to the line that says how it ended."""
    start = len(loop.lines)
    loop.wait_for("refreshing", REFRESH_SECONDS)
    loop.wait_for("watching", REFRESH_SECONDS)
    return loop.lines[start:]


def _dbt_tests_of(model: str, changed_table: str) -> list[str]:
    """The names (Dagster's check names) of the data tests dbt attaches to ``model`` that a
    build for a change of raw ``changed_table`` runs: those whose every model it rebuilds."""
    manifest_path = REPO_ROOT / "dbt_project" / "target" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    kept = set(unaffected_nodes(manifest_path, [changed_table]))
    return sorted(
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and node.get("attached_node") == f"model.event_study_warehouse.{model}"
        and not any(parent.split(".")[-1] in kept for parent in node["depends_on"]["nodes"])
    )


def _assert_dagster_shows_the_refresh(ws: Workspace, events_rows: int, build_id: str) -> None:
    """The loop's last refresh in Dagster's asset history: the events table it loaded, the CARs
    it built and tested, the copy it published; each from `make study`."""
    car = dg.AssetKey(["marts", "fct_car"])
    car_tests = _dbt_tests_of("fct_car", "events")
    assert len(car_tests) >= 2, car_tests  # its grain, its events in dim_event
    with instance_at(ws.dagster_home) as instance:
        latest = {
            key: instance.get_latest_materialization_event(dg.AssetKey(key))
            for key in (("raw", "events"), ("marts", "fct_car"), ("serving", "warehouse"))
        }
        assert all(latest.values()), latest
        meta = {key: event.asset_materialization.metadata for key, event in latest.items()}
        assert all(m["source"].value == "make study" for m in meta.values()), meta
        assert meta["raw", "events"]["rows"].value == events_rows
        assert meta["serving", "warehouse"]["build_id"].value == build_id
        # loaded, then built, then published: no model looks older than what it read
        times = [latest[k].timestamp for k in (("raw", "events"), ("marts", "fct_car"))]
        assert times == sorted(times) and latest["serving", "warehouse"].timestamp >= times[1]
        checks = instance.event_log_storage.get_latest_asset_check_execution_by_key(
            [dg.AssetCheckKey(car, name) for name in car_tests]
        )
    assert sorted(key.name for key in checks) == car_tests
    assert {r.status for r in checks.values()} == {AssetCheckExecutionRecordStatus.SUCCEEDED}
    _assert_the_views_were_kept_and_tested(ws)


def _assert_the_views_were_kept_and_tested(ws: Workspace) -> None:
    """An events edit keeps the abnormal-returns view as it is (its SQL did not change): recorded
    as not rebuilt, after the table it reads, and its grain test ran on the new rows."""
    view = dg.AssetKey(["marts", "fct_abnormal_returns"])
    grain = _dbt_tests_of("fct_abnormal_returns", "events")
    assert any(name.startswith("unique_combination_") for name in grain), grain
    with instance_at(ws.dagster_home) as instance:
        kept = instance.get_latest_materialization_event(view)
        fit = instance.get_latest_materialization_event(
            dg.AssetKey(["intermediate", "int_es_window_fit"])
        )
        checks = instance.event_log_storage.get_latest_asset_check_execution_by_key(
            [dg.AssetCheckKey(view, name) for name in grain]
        )
    metadata = kept.asset_materialization.metadata
    assert metadata["rebuilt"].value is False and metadata["source"].value == "make study"
    assert kept.timestamp >= fit.timestamp
    assert sorted(key.name for key in checks) == grain
    assert {r.status for r in checks.values()} == {AssetCheckExecutionRecordStatus.SUCCEEDED}
    assert all(r.event.timestamp >= kept.timestamp for r in checks.values())


def _start(
    tmp_path: Path, landing_dir: Path, small_build: SmallBuild
) -> tuple[Workspace, Path, dict[str, str]]:
    """A copy of the small build, an events file with the sell-off and the NVIDIA study: the
    workspace, the events file and the loop's environment."""
    ws = make_workspace(tmp_path, landing_dir)
    shutil.copy(small_build.warehouse_db, ws.warehouse_db)
    events, studies = tmp_path / "events.csv", tmp_path / "studies.yml"
    events.write_text(HEADER + SELLOFF)
    studies.write_text(STUDY)
    return ws, events, {"EVENTS_FILE": str(events), "STUDIES_FILE": str(studies)}


def test_study_loop_refreshes_publishes_and_keeps_the_file_free(
    tmp_path: Path, landing_dir: Path, small_build: SmallBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws, events, env = _start(tmp_path, landing_dir, small_build)
    for name, value in ws.env(**env).items():  # this process sees the settings the loop sees
        monkeypatch.setenv(name, value)
    # as if `make run` had built this warehouse from these files (it records their fingerprint)
    with duckdb.connect(str(ws.warehouse_db)) as con:
        record_inputs(con, run_inputs(load_settings()))
    with StudyLoop(ws, **env) as loop:
        first = "\n".join(_refreshed(loop))
        assert "study nvda_deepseek: 1 pairs, 0 excluded" in first, first  # every study at start
        assert "published build" in first, first
        selloff = _close_return(landing_dir, "2025-01-27", "2025-01-24")
        assert selloff == pytest.approx(-0.1697, abs=1e-4)  # the DeepSeek sell-off day
        [(day0,)] = _published(ws, DAY0_RETURN, "deepseek_selloff")
        assert day0 == pytest.approx(selloff, abs=1e-12)

        # Idle: the loop holds neither the file nor the writer lock; a writer opens it at once.
        with duckdb.connect(str(ws.warehouse_db)) as con:
            assert con.execute("select count(*) from raw.events").fetchone() == (1,)
        published_before = current_build(ws.serving_db)["build_id"]

        _save(events, HEADER + SELLOFF + R1)
        second = "\n".join(_refreshed(loop))
        assert "dbt: changed: events" in second, second
        assert "study nvda_deepseek: 2 pairs, 0 excluded" in second, second
        assert sorted(_published(ws, CARS)) == [("deepseek_r1_release",), ("deepseek_selloff",)]
        [(r1_day0,)] = _published(ws, DAY0_RETURN, "deepseek_r1_release")
        # 2025-01-20 was a market holiday (MLK day): day 0 is Tuesday the 21st
        assert r1_day0 == pytest.approx(
            _close_return(landing_dir, "2025-01-21", "2025-01-17"), abs=1e-12
        )
        published_after = current_build(ws.serving_db)["build_id"]
        assert published_after != published_before
        assert "Dagster: " in second and " check results recorded" in second, second
        _assert_dagster_shows_the_refresh(ws, events_rows=2, build_id=published_after)
        # What the loop built is recorded: `make run` would find nothing to rebuild.
        manifest = REPO_ROOT / "dbt_project" / "target" / "manifest.json"
        with duckdb.connect(str(ws.warehouse_db)) as con:
            assert plan_build(con, manifest).nothing_to_build
        # ... and says so at once, without starting Dagster: only the events changed since
        assert current_build_if_nothing_changed(load_settings(), run_inputs(load_settings())) == (
            published_after
        )

        # A broken events file: file and line named, nothing loaded, readers keep their build.
        _save(events, HEADER + SELLOFF + R1.replace("2025-01-20", "2025-13-45"))
        third = "\n".join(_refreshed(loop))
        assert f"{events}, line 3" in third, third
        assert f"readers keep build {published_after}" in third, third
        assert current_build(ws.serving_db)["build_id"] == published_after
        with duckdb.connect(str(ws.warehouse_db)) as con:
            assert con.execute("select count(*) from raw.events").fetchone() == (2,)


def test_a_refresh_interrupted_or_killed_half_way_is_redone_by_the_next(
    tmp_path: Path, landing_dir: Path, small_build: SmallBuild
) -> None:
    ws, events, env = _start(tmp_path, landing_dir, small_build)

    # Ctrl-C (or `kill`) while dbt builds: the loop stops (dbt returns the interrupt; it is not
    # a failure to report and watch on) and lets go of the file.
    with StudyLoop(ws, **env) as loop:
        loop.wait_for("dbt: changed", REFRESH_SECONDS)
        os.kill(loop.pid, signal.SIGINT)
        assert loop.finish(timeout=120) == 0
    assert "stopped" in loop.output
    assert not list((REPO_ROOT / "dbt_project" / "target").glob(f"study-{loop.pid}-*"))
    with duckdb.connect(str(ws.warehouse_db)) as con:
        assert con.execute("select count(*) from raw.events").fetchone() == (1,)

    # kill -9 while dbt builds: nothing is recorded as built, so the next refresh builds it all.
    _save(events, HEADER + SELLOFF + R1)
    with StudyLoop(ws, **env) as killed:
        killed.wait_for("dbt: changed", REFRESH_SECONDS)
        os.killpg(killed.pid, signal.SIGKILL)
        killed.finish(timeout=60)
    left_behind = list((REPO_ROOT / "dbt_project" / "target").glob(f"study-{killed.pid}-*"))
    assert left_behind  # dbt's artifacts of the killed loop: the next loop removes them

    with StudyOnce(ws, **env) as once:
        assert once.finish(timeout=REFRESH_SECONDS) == 0, once.output
    assert "dbt: changed: events" in once.output
    assert not any(folder.exists() for folder in left_behind)
    assert sorted(_published(ws, CARS)) == [("deepseek_r1_release",), ("deepseek_selloff",)]


def test_study_loop_without_a_build_or_on_spark_says_what_to_do(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, tmp_path)
    with StudyLoop(ws) as loop:
        assert loop.finish(timeout=60) == 2
    assert f"no warehouse at {ws.warehouse_db}: run `make run` first" in loop.output
    with StudyLoop(ws, WAREHOUSE_ENGINE="spark") as loop:
        assert loop.finish(timeout=60) == 2
    assert "make study builds on DuckDB; WAREHOUSE_ENGINE=spark builds with `make run`" in (
        loop.output
    )


def test_a_save_made_before_the_watcher_started_is_not_missed(tmp_path: Path) -> None:
    # The loop says "watching" and then starts the watcher: a save in between raises no event.
    # The watcher also wakes the loop every second, whose digest of the files then sees it.
    from orchestration.study import _digest, _watch

    events, studies = tmp_path / "events.csv", tmp_path / "studies.yml"
    events.write_text("event_id,event_time_utc\n")
    studies.write_text("studies: []\n")
    before = _digest([events, studies])
    events.write_text("event_id,event_time_utc\ndeepseek_selloff,2025-01-27\n")  # no watcher yet
    wakes = _watch([events, studies])
    woken = threading.Event()
    # nothing changes from here on: only the watcher's own tick can wake the loop
    threading.Thread(target=lambda: (next(wakes), woken.set()), daemon=True).start()
    assert woken.wait(30), "the watcher never woke the loop: the earlier save would be missed"
    assert _digest([events, studies]) != before
    wakes.close()

"""Run the real `build_warehouse` Dagster job into a given DuckDB file (used by tests), in this
process or as `make run` does."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from ingest.config import REPO_ROOT, warehouse_environment
from orchestration.run import root_message
from tests.processes import run_module, start_module

# Three real series (the e2e subset): enough for every model to build, quick to ingest.
SMALL_CATALOG = """
- {id: spx, asset_class: index, calendar: XNYS, landing: {path: equities/wsj_SPX.csv, format: wsj_csv}}
- {id: nvda, asset_class: equity, calendar: XNYS, benchmark: spx, landing: {path: equities/yf_NVDA.csv, format: yahoo_csv}}
- id: vix
  asset_class: index
  calendar: XNYS
  benchmark: spx
  landing: {path: equities/cboe_vix-daily.csv, format: csv, date_column: DATE, value_column: CLOSE}
"""


# A user's own series (a plain CSV in their own folder of the landing folder), event and study.
USER_SERIES = """
- id: acme
  name: ACME Corp
  asset_class: equity
  calendar: XNYS
  currency: USD
  benchmark: spx
  landing: {path: mine/acme.csv, format: csv, date_column: date, value_column: close, delimiter: ';', decimal: ','}
"""
USER_EVENTS = (
    "event_id,event_name,event_type,event_time,asset_id,amount_usd,source_url,notes\n"
    "acme_shock,ACME shock,corporate,2025-01-27,acme,,https://example.com/acme,\n"
)
USER_STUDIES = """
- id: acme_shock
  events: [acme_shock]
  assets: [event]
  model: market_model
  returns: simple
  estimation_window: [-250, -11]
  event_windows: [[-1, 1], [0, 0]]
  anchor: next
  min_estimation_days: 100
"""


@dataclass
class BuildResult:
    success: bool
    failures: list[str] = field(default_factory=list)
    # Every event of the run (step failures, materialisations, asset check evaluations, ...).
    events: list[dg.DagsterEvent] = field(default_factory=list)

    def events_of(self, event_type: str) -> list[dg.DagsterEvent]:
        return [e for e in self.events if e.event_type_value == event_type]

    @property
    def failed_checks(self) -> list[str]:
        """``asset:check`` of every asset check evaluation that did not pass."""
        return [
            f"{e.event_specific_data.asset_key.to_user_string()}:{e.event_specific_data.check_name}"
            for e in self.events_of("ASSET_CHECK_EVALUATION")
            if not e.event_specific_data.passed
        ]


def build_warehouse(
    db_path: Path,
    landing_dir: Path,
    series_file: Path | None = None,
    extra_env: dict[str, str] | None = None,
    asset_selection: Sequence[dg.AssetKey] | None = None,
    job_name: str = "build_warehouse",
    tags: dict[str, str] | None = None,
) -> BuildResult:
    """Materialise every asset (or only ``asset_selection``) into ``db_path``; environment
    restored afterwards."""
    # (DAGSTER_HOME among them is not read: the run's instance is an ephemeral one)
    overrides = warehouse_environment(db_path, landing_dir)
    if series_file is not None:
        overrides["SERIES_FILE"] = str(series_file)
    overrides.update(extra_env or {})
    # Scoped: the build's settings (read when the definitions are built, and by ingest code)
    # come from this environment, restored when the build ends.
    with pytest.MonkeyPatch.context() as env:
        for key, value in overrides.items():
            env.setenv(key, value)
        from orchestration.definitions import build_definitions

        defs = build_definitions()
        job = defs.resolve_job_def(job_name)
        result = job.execute_in_process(
            instance=dg.DagsterInstance.ephemeral(),
            raise_on_error=False,
            asset_selection=list(asset_selection) if asset_selection is not None else None,
            tags=tags,
        )
        failures = [
            f"{e.step_key}: {root_message(e.step_failure_data.error)}"
            for e in result.all_events
            if e.event_type_value == "STEP_FAILURE"
        ]
        return BuildResult(result.success, failures, list(result.all_events))


def clone_build(built_warehouse: Path, folder: Path) -> Path:
    """``folder``, new, holding a copy of a build: its warehouse file and published copy, where
    ``warehouse_environment`` of ``folder``/warehouse.duckdb puts them."""
    folder.mkdir()
    shutil.copy(built_warehouse, folder / "warehouse.duckdb")
    shutil.copytree(built_warehouse.parent / "serving", folder / "serving")
    return folder


def make_run_environment(warehouse_db: Path, landing_dir: Path, **extra_env: str) -> dict[str, str]:
    """The environment of `make run` into ``warehouse_db``, every other file it writes beside it
    (``warehouse_environment``), its Dagster home made as `make dagster-home` makes it; FULL only
    where ``extra_env`` sets it."""
    env = {**os.environ, **warehouse_environment(warehouse_db, landing_dir)}
    env.pop("FULL", None)
    env.update(extra_env)
    dagster_home = Path(env["DAGSTER_HOME"])
    dagster_home.mkdir(exist_ok=True)
    shutil.copy(REPO_ROOT / "orchestration" / "dagster.yaml", dagster_home / "dagster.yaml")
    return env


def make_run(
    warehouse_db: Path, landing_dir: Path, timeout: float, **extra_env: str
) -> subprocess.CompletedProcess:
    """`make run` (``python -m orchestration``) as a process (``make_run_environment``)."""
    env = make_run_environment(warehouse_db, landing_dir, **extra_env)
    return run_module("orchestration", env, timeout)


def start_make_run(warehouse_db: Path, landing_dir: Path, **extra_env: str) -> subprocess.Popen:
    """`make run` as a process that runs while the caller goes on; its output (text) in
    ``run.log`` beside ``warehouse_db``."""
    env = make_run_environment(warehouse_db, landing_dir, **extra_env)
    with (warehouse_db.parent / "run.log").open("w") as log:
        return start_module("orchestration", env, log)


def user_setup(folder: Path, landing_dir: Path) -> tuple[Path, dict[str, str]]:
    """A user's setup in ``folder``: a landing folder holding a copy of ``landing_dir`` (the
    loader refuses symlinks out of it) and ``mine/acme.csv`` (NVIDIA's real closes written as
    ``date;close`` with decimal commas), the catalog SMALL_CATALOG + USER_SERIES, USER_EVENTS and
    USER_STUDIES. Returns the landing folder and the other settings that point a build at them."""
    landing = folder / "landing"
    shutil.copytree(landing_dir, landing)
    nvda = pd.read_csv(landing_dir / "equities/adjclose_NVDA.csv").iloc[:-1]
    (landing / "mine").mkdir()
    (landing / "mine" / "acme.csv").write_text(
        "date;close\n"
        + "".join(
            f"{d};{str(round(c, 6)).replace('.', ',')}\n"
            for d, c in zip(nvda.Date, nvda.Close, strict=True)
        )
    )
    catalog, events, studies = folder / "series.yml", folder / "events.csv", folder / "studies.yml"
    catalog.write_text(SMALL_CATALOG + USER_SERIES)
    events.write_text(USER_EVENTS)
    studies.write_text(USER_STUDIES)
    return landing, {
        "SERIES_FILE": str(catalog),
        "EVENTS_FILE": str(events),
        "STUDIES_FILE": str(studies),
    }

"""`make run`: say so at once when nothing changed, else run the whole job (orchestration.run).

Starting Dagster and dbt costs several seconds before the first step, so this front checks,
without them, whether the last green build already stands for exactly these inputs: the same
catalog, landing files, event configs, code and locked dependencies (an inputs fingerprint that
`make run` records with each dbt build, and `make study` when it changed only the event configs:
orchestration/run_inputs.py), raw tables as dbt last built from them, and readers on that build.
Then there is nothing to do. Anything else - a changed file, a build from the UI, a failed
source, a missing published copy, live mode, FULL=1 - runs the job, which rebuilds only what
changed.
"""

from __future__ import annotations

import atexit
import os
import sys

import duckdb

from ingest.config import REPO_ROOT, Settings, load_settings
from ingest.load_journal import journal_path
from ingest.warehouse import reader
from orchestration.run_inputs import run_inputs
from publishing.build_state import (
    plan_build,
    recorded_inputs,
    state_fingerprint,
)
from publishing.publish import current_build

MANIFEST = REPO_ROOT / "dbt_project" / "target" / "manifest.json"


def current_build_if_nothing_changed(settings: Settings, inputs: str) -> str | None:
    """The published build id when it already stands for these inputs, else None."""
    if not settings.warehouse_db.exists() or not MANIFEST.exists():
        return None
    pending = journal_path(settings.warehouse_db)
    if pending.exists() and pending.stat().st_size:
        return None  # failed loads wait to be recorded
    try:
        with reader(settings.warehouse_db) as con:
            if recorded_inputs(con) != inputs:
                return None
            if not plan_build(con, MANIFEST).nothing_to_build:
                return None
            state = state_fingerprint(con)
        published = current_build(settings.serving_db) or {}
    except duckdb.Error:
        return None  # held by a writer, or an older layout: let the job decide
    if state is None or published.get("build_state") != state:
        return None
    return published.get("build_id")


def main() -> int:
    settings = load_settings()
    inputs = run_inputs(settings)
    if inputs is not None:
        build = current_build_if_nothing_changed(settings, inputs)
        if build:
            print(
                f"nothing changed since build {build} (catalog, landing files, event configs, "
                f"code and raw tables are as built): nothing to do; readers see build {build}. "
                "`make run FULL=1` rebuilds everything."
            )
            return 0
    from orchestration.run import main as run_job

    return run_job(inputs=inputs)


if __name__ == "__main__":
    code = main()
    # Everything is written and closed by now: run the libraries' exit hooks, then skip the
    # interpreter's teardown, which spends over a second freeing Dagster's and dbt's objects
    # after the summary is printed.
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

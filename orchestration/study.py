"""`make study`: re-run the event studies whenever EVENTS_FILE or STUDIES_FILE is saved.

For the analyst's loop (edit an event or a study, look at the numbers): the files are loaded and
validated as `make run` loads them, dbt rebuilds what they feed (the same build plan as `make run`:
only models downstream of raw tables that changed, with their data tests; views, the same SQL
over the rebuilt tables, are kept as they are and tested), the build is published
for readers when every error-severity test passed, and the studies whose results changed are
printed, and the build is recorded in Dagster's asset history (orchestration.study_dagster).
dbt runs in this process with its project parsed once, and again only when its files
change (warehouse_engine.warm_dbt), so a refresh costs the SQL, not a dbt start-up; the warehouse
file is free between refreshes, and each step takes the pipeline's writer lock, so `make run` and
this loop take turns.

Needs a warehouse `make run` built (prices, calendars). Exit codes: 0 (stopped, or ``--once``
succeeded), 1 (``--once`` failed), 2 (no build to start from, or the dbt project does not parse).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import signal
import sys
import time
from contextlib import closing
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from tempfile import TemporaryDirectory

import duckdb

from ingest.config import REPO_ROOT, Settings, load_settings
from ingest.errors import IngestError
from ingest.event_config import load_event_config
from ingest.warehouse import connect_for_write, writer_lock
from orchestration import study_dagster
from orchestration.processes import pid_running
from orchestration.run_inputs import run_inputs
from orchestration.study_report import StudyResults, changed_studies, read_results
from publishing.build_state import (
    forget_state,
    plan_build,
    record_inputs,
    recorded_inputs,
    save_state,
    state_fingerprint,
    study_inputs,
)
from publishing.publish import current_build, failed_loads, publish
from warehouse_engine.warm_dbt import Invocation, ProjectParseError, WarmDbt

DBT_DIR = REPO_ROOT / "dbt_project"
# dbt's artifacts of this process (removed when it stops): a loop beside another loop, `make run`
# or the UI never writes into their target folder
TARGETS = DBT_DIR / "target"
LOG_PATH = REPO_ROOT / "logs" / "study"
FAILURES_SHOWN = 5


def say(line: str) -> None:
    print(line, flush=True)


@dataclass
class Built:
    """What the dbt part of a refresh did."""

    ok: bool
    summary: str
    before: StudyResults
    after: StudyResults
    failed_loads: list[str] = field(default_factory=list)
    readers_current: bool = False  # the published copy already shows this build
    record: study_dagster.RefreshRecord = field(default_factory=study_dagster.RefreshRecord)


def _digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes() if path.is_file() else b"(missing)")
    return digest.hexdigest()


def _published(settings: Settings) -> str | None:
    return (current_build(settings.serving_db) or {}).get("build_id")


def _kept(settings: Settings) -> str:
    build = _published(settings)
    return f"readers keep build {build}" if build else "nothing is published yet"


def _failure_lines(invocation: Invocation) -> list[str]:
    lines = [
        f"    {n.resource_type} {n.unique_id.split('.')[-1]}: {n.status}: {n.message}"
        for n in invocation.failed[:FAILURES_SHOWN]
    ]
    more = len(invocation.failed) - FAILURES_SHOWN
    if more > 0:
        lines.append(f"    ... {more} more (dbt's log: {LOG_PATH / 'dbt.log'})")
    if not lines and invocation.error:
        lines.append(f"    {invocation.error}")
    return lines


def _build(settings: Settings, dbt: WarmDbt, started: float, inputs: str | None) -> Built:
    """Plan and run dbt under the writer lock; the studies' results before and after. The build
    state records ``inputs`` when only the event configs changed since the last `make run`."""
    db = settings.warehouse_db
    if dbt.parse_if_changed():
        say(f"  [{time.monotonic() - started:5.1f}s] the dbt project changed: parsed it again")
    with writer_lock(db):
        with closing(connect_for_write(db)) as con:
            before = read_results(con)
            inputs = study_inputs(recorded_inputs(con), inputs)
            plan = plan_build(con, dbt.manifest_path, force_full=settings.full)
            if plan.nothing_to_build:
                record_inputs(con, inputs)
                published = (current_build(settings.serving_db) or {}).get("build_state")
                current = published is not None and published == state_fingerprint(con)
                summary = "no model to rebuild: the files' content is what was built"
                return Built(True, summary, before, before, failed_loads(con), current)
        say(f"  dbt: {plan.reason}")
        invocation = dbt.invoke(plan.dbt_args(dbt.manifest_path, reuse_views=True))
        # what dbt built and tested, failed tests included (as a Dagster run records them)
        reused = plan.reused_views(dbt.manifest_path)
        record = study_dagster.RefreshRecord(dbt.manifest_path, invocation.result_events, reused)
        with closing(connect_for_write(db)) as con:
            if not invocation.success or invocation.failed:
                forget_state(con)  # the next build starts from scratch
                lines = "\n".join(_failure_lines(invocation))
                failed = f"dbt build failed:\n{lines}"
                return Built(False, failed, before, before, record=record)
            save_state(con, dbt.manifest_path, inputs)
            after = read_results(con)
            loads = failed_loads(con)
    summary = (
        f"dbt: {invocation.count('model')} models, {invocation.count('test')} tests in "
        f"{invocation.seconds:.1f} s"
    )
    if invocation.warned:
        summary += f" ({len(invocation.warned)} tests warned)"
    say(f"  [{time.monotonic() - started:5.1f}s] {summary}")
    return Built(True, summary, before, after, loads, record=record)


def _publish(settings: Settings, built: Built, started: float) -> str:
    if built.readers_current:
        return f"readers already see this build ({_published(settings)})"
    if built.failed_loads:
        loads = ", ".join(built.failed_loads[:5])
        return f"not published: failed loads in raw.loads ({loads}); {_kept(settings)}"
    built.record.previous_build = current_build(settings.serving_db)
    publication = publish(
        settings.warehouse_db,
        settings.serving_db,
        settings.export_dir,
        "study",
        progress=lambda line: say(f"  [{time.monotonic() - started:5.1f}s] {line}"),
    )
    built.record.publication = publication
    return (
        f"[{time.monotonic() - started:5.1f}s] published build {publication.build_id} "
        f"to {publication.serving_db} ({publication.seconds:.1f} s)"
    )


def refresh(
    settings: Settings, dbt: WarmDbt, publish_results: bool = True, show_all: bool = False
) -> tuple[bool, str]:
    """Load the event configs, rebuild what they feed, print the studies whose results changed
    (every study with ``show_all``), publish. Returns (success, closing line)."""
    started = time.monotonic()
    # before the files are read: a save made while they load is then not taken as built
    inputs = run_inputs(settings)
    try:
        counts = load_event_config(
            settings.warehouse_db, settings.events_file, settings.studies_file
        )
        say(
            f"  [{time.monotonic() - started:5.1f}s] loaded {counts['events']} events and "
            f"{counts['studies']} studies"
        )
        built = _build(settings, dbt, started, inputs)
    except (IngestError, ProjectParseError) as exc:  # a bad file, the file held too long
        return False, f"error: {exc}\n  {_kept(settings)}"
    built.record.loaded = counts
    built.record.settings = settings
    if not built.ok:
        _tell_dagster(built)
        return False, f"{built.summary}\n  {_kept(settings)}"
    shown = built.after if show_all else changed_studies(built.before, built.after)
    for line in shown.lines():
        say(line)
    if not publish_results:
        closing_line = f"{built.summary}; not published (--no-publish): {_kept(settings)}"
    else:
        closing_line = f"{built.summary}; {_publish(settings, built, started)}"
    _tell_dagster(built)
    return True, closing_line


def _tell_dagster(built: Built) -> None:
    if line := study_dagster.report(built.record):
        say(f"  {line}")


def _watch(paths: list[Path]):  # type: ignore[no-untyped-def]
    """Yield each time one of ``paths`` is written (editors that save by replacing the file
    included: their folders are watched, not the files), and every second even without an
    event: a save made before the watcher started is then found by the caller's digest."""
    from watchfiles import watch

    wanted = {str(p.resolve()) for p in paths}
    folders = sorted({str(p.resolve().parent) for p in paths})
    for _ in watch(
        *folders,
        watch_filter=lambda _change, path: str(Path(path).resolve()) in wanted,
        debounce=300,
        recursive=False,
        rust_timeout=1000,
        yield_on_timeout=True,
    ):
        yield


def _check_setup(settings: Settings) -> str | None:
    if settings.engine != "duckdb":
        return (
            f"make study builds on DuckDB; WAREHOUSE_ENGINE={settings.engine} builds with "
            "`make run` (its incremental plan and publishing are DuckDB's)"
        )
    if not settings.warehouse_db.exists():
        return f"no warehouse at {settings.warehouse_db}: run `make run` first"
    try:
        with closing(duckdb.connect(str(settings.warehouse_db), read_only=True)) as con:
            built = con.execute(
                "select count(*) from information_schema.tables "
                "where table_schema = 'marts' and table_name = 'fct_event_study_summary'"
            ).fetchone()[0]
    except duckdb.IOException:
        return None  # held by a writer right now: the refresh waits for it
    if not built:
        return f"{settings.warehouse_db} holds no built marts: run `make run` first"
    return None


def _stop(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _target_folder() -> TemporaryDirectory:
    """A folder of this process's own for dbt's artifacts, removed when the loop stops; the
    folders of loops that were killed (their process is gone) are removed first."""
    for folder in TARGETS.glob("study-*-*"):
        pid = folder.name.split("-")[1]
        if pid.isdigit() and not pid_running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
    return TemporaryDirectory(prefix=f"study-{os.getpid()}-", dir=TARGETS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--once", action="store_true", help="refresh once, then exit")
    parser.add_argument(
        "--no-publish", action="store_true", help="leave the published copy as it is"
    )
    args = parser.parse_args(argv)
    settings = load_settings()
    if problem := _check_setup(settings):
        print(f"error: {problem}", file=sys.stderr)
        return 2
    watched = [settings.events_file, settings.studies_file]
    say(f"make study: {settings.warehouse_db}, events {watched[0]}, studies {watched[1]}")
    signal.signal(signal.SIGTERM, _stop)  # `kill` stops it as Ctrl-C does, cleaning up
    try:
        with _target_folder() as target:
            try:
                dbt = WarmDbt(DBT_DIR, Path(target), LOG_PATH, settings.dbt_env(), progress=say)
            except ProjectParseError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            return _loop(settings, dbt, watched, args.once, publish_results=not args.no_publish)
    except KeyboardInterrupt:
        say("stopped")
        return 0


def _loop(
    settings: Settings, dbt: WarmDbt, watched: list[Path], once: bool, publish_results: bool
) -> int:
    last, first = None, True
    for _ in chain([None], [] if once else _watch(watched)):
        digest = _digest(watched)
        if digest == last:
            continue  # saved without a change
        last = digest
        say(f"[{time.strftime('%H:%M:%S')}] refreshing")
        ok, summary = refresh(settings, dbt, publish_results, show_all=first)
        first = False
        say(f"  {'OK' if ok else 'FAILED'}: {summary}")
        if once:
            return 0 if ok else 1
        dbt.prepare()  # before saying so: a save made while it ran would go unnoticed
        say(f"watching {watched[0].name} and {watched[1].name} (Ctrl-C stops)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

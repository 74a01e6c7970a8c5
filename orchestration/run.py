"""Headless `make run`: materialise every asset, print progress per asset and a closing summary.

Exits 0 when every asset and every error-severity check succeeded and the build was published,
1 when something failed (the summary says what and why, and readers keep the previous build),
2 when the set-up is wrong (no landing folder, no manifest), 3 when the warehouse writer slot or
file stayed busy longer than WRITER_WAIT_SECONDS. Slots left behind by a killed run are taken
over (see orchestration/recovery.py), and every wait prints what it waits for.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import dagster as dg
import duckdb

from ingest.catalog import load_catalog
from ingest.config import REPO_ROOT, load_settings
from ingest.errors import IngestError
from ingest.pipeline import check_landing_dir
from ingest.warehouse import describe_duckdb_holder, is_lock_error, reader
from orchestration.freshness import FRESH_CHECK
from orchestration.ingest_assets import LOADED_CHECK, POOL
from orchestration.recovery import RunWatchdog, SlotGuard, WriterSlotTimeout, process_tags
from publishing.build_state import INPUTS_TAG

STEP_EVENTS = {
    "STEP_START",
    "STEP_SUCCESS",
    "STEP_FAILURE",
    "ASSET_MATERIALIZATION",
    "ASSET_CHECK_EVALUATION",
}


def root_message(error) -> str:
    """The innermost cause of a step failure: the wrapper errors only say which op failed."""
    if error is None:
        return "unknown error"
    while getattr(error, "cause", None) is not None:
        error = error.cause
    # "dagster._core.definitions.events.Failure: not published ..." -> "not published ..."
    return re.sub(r"^[\w.]+(Error|Exception|Failure): ", "", error.message.strip())


def _out(line: str) -> None:
    """Progress goes to the real terminal; dbt's own chatter is redirected to the log file."""
    sys.__stdout__.write(line + "\n")
    sys.__stdout__.flush()


class ProgressHandler(logging.Handler):
    """Turns Dagster's structured events into one line per asset (and per failed dbt test)."""

    def __init__(self) -> None:
        super().__init__()
        self.materialized = 0
        self.failed_steps: list[str] = []
        self.failed_checks: list[str] = []
        self.warned_checks: list[str] = []
        self.removals: str | None = None
        self.entries: Counter[str] = Counter()  # catalog entries by status: loaded, unchanged...
        self.freshness: list[tuple[str, str]] = []  # (entry, "newest row ...: N sessions old ...")
        self.started = time.monotonic()
        self._test_descriptions: dict[str, str] | None = None

    def test_description(self, check_name: str) -> str:
        """The dbt test's own description (its YAML), e.g. why a warning is expected."""
        if self._test_descriptions is None:
            from orchestration.dbt_project import dbt_project

            nodes = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))["nodes"]
            self._test_descriptions = {
                node["name"]: " ".join(node["description"].split())
                for node in nodes.values()
                if node["resource_type"] == "test" and node.get("description")
            }
        return self._test_descriptions.get(check_name, "")

    def _note_removals(self, metadata) -> None:
        rows = getattr(metadata.get("removed_raw_rows"), "value", 0)
        if rows:
            sources = getattr(metadata.get("removed_sources"), "value", [])
            self.removals = (
                f"catalog removals: {rows:,} raw rows of {len(sources)} source(s) no longer in "
                f"the catalog were removed: {', '.join(sources[:10])}"
            )

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._report(record)
        except Exception:  # noqa: BLE001 - progress output must never break the run
            self.handleError(record)

    def _report(self, record: logging.LogRecord) -> None:
        event = getattr(record, "dagster_meta", {}).get("dagster_event")
        if event is None or event.event_type_value not in STEP_EVENTS:
            return
        elapsed = time.monotonic() - self.started
        kind = event.event_type_value
        if kind == "ASSET_MATERIALIZATION":
            self.materialized += 1
            key = event.asset_key.to_user_string()
            _out(f"[{elapsed:6.1f}s] materialised {key}")
            metadata = event.event_specific_data.materialization.metadata
            if key == "ingest/catalog":
                self._note_removals(metadata)
            elif key.startswith("ingest/") and "changed" in metadata:
                self.entries[getattr(metadata.get("status"), "value", "?").split(":")[0]] += 1
        elif kind == "STEP_FAILURE":
            self.failed_steps.append(event.step_key)
            message = root_message(event.step_failure_data.error)
            _out(f"[{elapsed:6.1f}s] FAILED {event.step_key}: {message}")
        elif kind == "STEP_START":
            _out(f"[{elapsed:6.1f}s] running {event.step_key} ...")
        elif kind == "ASSET_CHECK_EVALUATION":
            data = event.event_specific_data
            if data.check_name == FRESH_CHECK:
                self.freshness.append((data.asset_key.path[-1], data.description or ""))
            if not data.passed:
                name = f"{data.asset_key.to_user_string()}:{data.check_name}"
                is_warning = getattr(data.severity, "value", "") == "WARN"
                (self.warned_checks if is_warning else self.failed_checks).append(name)
                label = "check warned" if is_warning else "check FAILED"
                _out(f"[{elapsed:6.1f}s] {label} {name}")
                if data.description and data.check_name == LOADED_CHECK:
                    for line in data.description.splitlines()[1:4]:
                        _out(f"           {line}")
                elif is_warning and (why := self.test_description(data.check_name)):
                    _out(f"           {why}")


@dg.logger
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.Logger("warehouse_progress", level=logging.DEBUG)
    logger.addHandler(HANDLER)
    return logger


class ConsoleLines(logging.Handler):
    """Waits and recoveries logged by the ingest code (e.g. a held warehouse file) reach the console."""

    def emit(self, record: logging.LogRecord) -> None:
        elapsed = time.monotonic() - HANDLER.started
        _out(f"[{elapsed:6.1f}s] {record.getMessage()}")


class UnrunChecks(logging.Filter):
    """Counts, instead of printing one line each, Dagster's warnings that a blocking check gave
    no result: in an incremental build the dbt tests of models that were not rebuilt don't run."""

    PATTERN = re.compile(r"^Blocking asset check .* emitted no result in step 'dbt_models'")

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if self.PATTERN.match(record.getMessage()):
            self.count += 1
            return False
        return True


HANDLER = ProgressHandler()
UNRUN_CHECKS = UnrunChecks()
# Where Dagster logs a blocking check's missing result (dagster/_core/execution/plan/active.py).
PLAN_LOGGER = "dagster._core.execution.plan.active"
LOG_FILE = REPO_ROOT / "logs" / "make_run.log"
KEPT_LOGS = 5  # make_run.1.log (the run before) .. make_run.5.log: a failed run's log survives
CONSOLE_LOGGERS = ("ingest.warehouse",)


def _start_log(path: Path, kept: int = KEPT_LOGS) -> None:
    """Shift the earlier runs' logs up one (make_run.log -> make_run.1.log, ...), the oldest
    beyond ``kept`` dropped, so this run's log starts empty and the last ones stay readable."""
    path.parent.mkdir(parents=True, exist_ok=True)
    older = [path.with_suffix(f".{n}{path.suffix}") for n in range(1, kept + 1)]
    for newer, older_one in reversed(list(zip([path, *older], older, strict=False))):
        if newer.exists():
            newer.replace(older_one)


def _summary(settings_db, seconds: float) -> str:
    try:
        return _table_summary(settings_db, seconds)
    except duckdb.IOException as exc:
        if not is_lock_error(exc):
            raise
        # A lock is reported as a lock: the run's own result still follows.
        return (
            f"summary unavailable: {settings_db} is held by {describe_duckdb_holder(exc)} "
            f"(readers should use the published copy); elapsed: {seconds:.1f}s"
        )


def _table_summary(settings_db, seconds: float) -> str:
    lines = []
    with reader(settings_db) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('raw', 'staging', 'intermediate', 'marts') and table_type = 'BASE TABLE' "
            "order by 1, 2"
        ).fetchall()
        lines.append("rows per table:")
        for schema, table in tables:
            count = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
            lines.append(f"  {schema + '.' + table:<42} {count:>10,}")
        rejects = con.execute(
            "select source_id, count(*) n, any_value(reason) from raw.rejects group by 1 order by 2 desc"
        ).fetchall()
        total = sum(r[1] for r in rejects)
        lines.append(f"rejected rows: {total:,} (query raw.rejects or staging.stg_load_rejects)")
        for source_id, n, reason in rejects[:10]:
            lines.append(f"  {source_id:<60} {n:>6}  e.g. {reason}")
        failed = con.execute(
            "select source_id, message from raw.loads where status = 'failed' order by 1"
        ).fetchall()
        if failed:
            lines.append(f"failed sources: {len(failed)} (previous rows kept; see raw.loads)")
            for source_id, message in failed[:10]:
                lines.append(f"  {source_id:<60} {(message or '').splitlines()[0][:160]}")
    lines.append(f"elapsed: {seconds:.1f}s; warehouse: {settings_db}")
    return "\n".join(lines)


def _freshness_lines(results: list[tuple[str, str]], shown: int = 5) -> str:
    """How old each source is (stalest first): judged in live mode, reported offline."""
    if not results:
        return "freshness: not checked"

    def age(item: tuple[str, str]) -> int:
        words = item[1].split(": ", 1)[-1].split()
        return int(words[0]) if words and words[0].isdigit() else -1

    stalest = sorted(results, key=age, reverse=True)[:shown]
    lines = [
        f"freshness of {len(results)} sources (stalest first; check 'fresh' per ingest asset):"
    ]
    lines += [f"  {entry:<24} {text}" for entry, text in stalest]
    return "\n".join(lines)


def _publish_line(result, serving_db, failed_checks: list[str]) -> str:
    """What readers see after this run: the new build, or why nothing was published."""
    from orchestration.publish_assets import SERVING_KEY
    from publishing.publish import current_build

    serving_step_skipped = False
    for event in result.all_events:
        if event.event_type_value == "ASSET_MATERIALIZATION" and event.asset_key == SERVING_KEY:
            build = event.event_specific_data.materialization.metadata["build_id"].value
            return f"published: build {build} at {serving_db} (readers see it now)"
        if event.event_type_value == "STEP_FAILURE" and event.step_key.startswith("serving"):
            return root_message(event.step_failure_data.error)
        if event.event_type_value == "STEP_SKIPPED" and event.step_key.startswith("serving"):
            serving_step_skipped = True
    current = current_build(serving_db)
    kept = current["build_id"] if current else "none (nothing published yet)"
    settings = load_settings()
    if settings.engine == "spark" and result.success and not failed_checks:
        return (
            f"built on Spark: tables under {settings.spark_warehouse_dir} (<schema>.db/<table>/, "
            f"Parquet); no DuckDB read copy is published from a Spark build, readers keep build {kept}"
        )
    if failed_checks:
        return f"not published: checks failed ({', '.join(failed_checks[:5])}); readers keep build {kept}"
    if serving_step_skipped and result.success:
        return f"nothing changed since the last build: nothing rebuilt, readers keep build {kept}"
    return f"not published (an earlier step failed); readers keep build {kept}"


def main(inputs: str | None = None) -> int:
    """Run the whole job; ``inputs`` is the fingerprint `make run` computed (see __main__)."""
    settings = load_settings()
    try:
        if not settings.is_live:
            check_landing_dir(settings)
        # Refuses landing paths that lead out of LANDING_DIR (.., absolute, symlinks) up front.
        load_catalog(settings.series_file, None if settings.is_live else settings.landing_dir)
    except IngestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from orchestration.dbt_project import dbt_project

    if not dbt_project.manifest_path.exists():
        print("error: dbt manifest missing; run `make setup` first", file=sys.stderr)
        return 2
    from orchestration.definitions import defs

    mode = "live APIs" if settings.is_live else f"landing folder {settings.landing_dir}"
    print(
        f"building {settings.warehouse_db} from the {mode} (catalog {settings.series_file})",
        flush=True,
    )
    started = time.monotonic()
    job = defs.resolve_job_def("build_warehouse").with_logger_defs({"progress": progress_logger})
    instance = dg.DagsterInstance.get() if _has_dagster_home() else dg.DagsterInstance.ephemeral()
    for name in CONSOLE_LOGGERS:
        logging.getLogger(name).addHandler(ConsoleLines())
    logging.getLogger(PLAN_LOGGER).addFilter(UNRUN_CHECKS)
    guard = SlotGuard(instance, POOL, out=_out)
    run_id = str(uuid.uuid4())
    try:
        guard.wait_until_free()
    except WriterSlotTimeout as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    _start_log(LOG_FILE)
    print(
        f"dbt's detailed output goes to {LOG_FILE} (the runs before: "
        f"{LOG_FILE.with_suffix('.1' + LOG_FILE.suffix).name} ...)",
        flush=True,
    )
    watchdog = RunWatchdog(guard, run_id)
    try:
        with (
            watchdog,
            open(LOG_FILE, "w", buffering=1) as log_file,
            contextlib.redirect_stdout(log_file),
        ):
            result = job.execute_in_process(
                instance=instance,
                raise_on_error=False,
                run_config={"loggers": {"progress": {}}},
                run_id=run_id,
                tags={**process_tags(), **({INPUTS_TAG: inputs} if inputs else {})},
            )
    except KeyboardInterrupt:
        if watchdog.timed_out:
            print(f"error: gave up: {watchdog.timed_out}", file=sys.stderr)
            return 3
        raise
    seconds = time.monotonic() - started
    print()
    print(_summary(settings.warehouse_db, seconds))
    print(f"assets materialised: {HANDLER.materialized}")
    if HANDLER.entries:
        print("catalog entries: " + ", ".join(f"{n} {s}" for s, n in HANDLER.entries.most_common()))
    if HANDLER.removals:
        print(HANDLER.removals)
    if UNRUN_CHECKS.count:
        print(
            f"dbt tests not re-run: {UNRUN_CHECKS.count} (their models' inputs did not change, "
            "so the models were not rebuilt)"
        )
    print(_freshness_lines(HANDLER.freshness))
    if HANDLER.failed_checks:
        print(
            f"checks failed: {len(HANDLER.failed_checks)}: " + ", ".join(HANDLER.failed_checks[:20])
        )
    publish_line = _publish_line(result, settings.serving_db, HANDLER.failed_checks)
    print(publish_line)
    if not result.success or HANDLER.failed_checks:
        print(f"FAILED steps: {', '.join(HANDLER.failed_steps) or 'none'}", file=sys.stderr)
        return 1
    if publish_line.startswith("built on Spark"):
        print("OK: every portable model built and tested on Spark")
    elif publish_line.startswith("published"):
        print("OK: every asset materialised and the build is published")
    else:
        print("OK: nothing needed rebuilding")
    return 0


def _has_dagster_home() -> bool:
    from ingest.config import env_value

    return bool(env_value("DAGSTER_HOME"))


if __name__ == "__main__":
    raise SystemExit(main())

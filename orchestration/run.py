"""Headless `make run`: materialise every asset, print progress per asset and a closing summary.

Exits 0 when every asset and every error-severity dbt test succeeded, 1 when something failed
(the summary says what and why), 2 when the set-up is wrong (no landing folder, no manifest).
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time

import dagster as dg

from ingest.catalog import load_catalog
from ingest.config import REPO_ROOT, load_settings
from ingest.errors import IngestError
from ingest.pipeline import check_landing_dir
from ingest.warehouse import reader

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
    return error.message.strip()


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
        self.started = time.monotonic()

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
        elif kind == "STEP_FAILURE":
            self.failed_steps.append(event.step_key)
            message = root_message(event.step_failure_data.error)
            _out(f"[{elapsed:6.1f}s] FAILED {event.step_key}: {message}")
        elif kind == "STEP_START":
            _out(f"[{elapsed:6.1f}s] running {event.step_key} ...")
        elif kind == "ASSET_CHECK_EVALUATION":
            data = event.event_specific_data
            if not data.passed:
                name = f"{data.asset_key.to_user_string()}:{data.check_name}"
                is_warning = getattr(data.severity, "value", "") == "WARN"
                (self.warned_checks if is_warning else self.failed_checks).append(name)
                label = "check warned" if is_warning else "check FAILED"
                _out(f"[{elapsed:6.1f}s] {label} {name}")


@dg.logger
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.Logger("warehouse_progress", level=logging.DEBUG)
    logger.addHandler(HANDLER)
    return logger


HANDLER = ProgressHandler()
LOG_FILE = REPO_ROOT / "logs" / "make_run.log"


def _summary(settings_db, seconds: float) -> str:
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
    lines.append(f"elapsed: {seconds:.1f}s; warehouse: {settings_db}")
    return "\n".join(lines)


def main() -> int:
    settings = load_settings()
    try:
        load_catalog(settings.assets_file)
        if not settings.is_live:
            check_landing_dir(settings)
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
        f"building {settings.warehouse_db} from the {mode} (catalog {settings.assets_file})",
        flush=True,
    )
    started = time.monotonic()
    job = defs.resolve_job_def("build_warehouse").with_logger_defs({"progress": progress_logger})
    instance = dg.DagsterInstance.get() if _has_dagster_home() else dg.DagsterInstance.ephemeral()
    LOG_FILE.parent.mkdir(parents=True, exist_ok=True)
    print(f"dbt's detailed output goes to {LOG_FILE}", flush=True)
    with open(LOG_FILE, "w") as log_file, contextlib.redirect_stdout(log_file):
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": {"progress": {}}},
        )
    seconds = time.monotonic() - started
    print()
    print(_summary(settings.warehouse_db, seconds))
    print(f"assets materialised: {HANDLER.materialized}")
    if HANDLER.failed_checks:
        print(
            f"dbt tests failed: {len(HANDLER.failed_checks)}: "
            + ", ".join(HANDLER.failed_checks[:20])
        )
    if not result.success:
        print(f"FAILED steps: {', '.join(HANDLER.failed_steps) or 'see above'}", file=sys.stderr)
        return 1
    print("OK: every asset materialised")
    return 0


def _has_dagster_home() -> bool:
    import os

    return bool(os.environ.get("DAGSTER_HOME"))


if __name__ == "__main__":
    raise SystemExit(main())

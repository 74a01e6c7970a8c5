"""Schedules, the landing-folder sensor and the run-failure sensor (Dagster's Automation page).

- One schedule per live source cadence, in UTC. Each ingests the entries fed by that source and
  everything downstream (dbt models, the publish, the report). Outside live mode
  (INGEST_MODE=landing) a tick is skipped and says why.
- ``landing_files`` watches the landing folder: a file whose SHA-256 differs from what the
  published warehouse last loaded for it requests its entry's ingest and everything downstream
  (one run per new content: the run key is the hash); an unchanged file requests nothing.
- ``failed_run_reason`` writes one line per failed run (run id, job, failed steps and the root
  cause) to ``logs/failed_runs.log`` and tags the run with it, so the UI's run list says why.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from ingest.catalog import Catalog, SeriesEntry
from ingest.config import REPO_ROOT, load_settings
from ingest.errors import IngestError
from ingest.landing_paths import confined_path

# define_asset_job's return type; dagster does not export its class name.
AssetJob = Any

FAILED_RUNS_LOG = REPO_ROOT / "logs" / "failed_runs.log"
FAILURE_TAG = "warehouse/failure"


@dataclass(frozen=True)
class Cadence:
    name: str
    source: str  # the catalog's live source
    cron: str  # UTC
    why: str


# One declaration per cadence; the README's "Operating it live" table lists the same.
CADENCES = (
    Cadence("farside_etf_flows", "farside", "30 23 * * 1-5", "after the US close (Mon-Fri)"),
    Cadence("fred_daily", "fred", "0 22 * * 1-5", "FRED's daily series, after the US close"),
    Cadence("yahoo_daily", "yahoo_chart", "30 22 * * 1-5", "daily bars, after the US close"),
    Cadence("binance_daily", "binance_klines", "10 0 * * *", "daily klines close at 00:00 UTC"),
    Cadence("defillama_hacks", "defillama_hacks", "0 */6 * * *", "hack reports, every 6 hours"),
)


def _downstream(keys: Iterable[dg.AssetKey]) -> dg.AssetSelection:
    return dg.AssetSelection.assets(*keys).downstream()


def _ingest_key(entry: SeriesEntry) -> dg.AssetKey:
    return dg.AssetKey(["ingest", entry.id])


def build_schedules(catalog: Catalog) -> list[dg.ScheduleDefinition]:
    schedules = []
    for cadence in CADENCES:
        entries = [e for e in catalog.entries if e.live and e.live.source == cadence.source]
        if not entries:
            continue
        job = dg.define_asset_job(
            f"refresh_{cadence.name}",
            selection=_downstream(_ingest_key(e) for e in entries),
            description=f"Live refresh of {len(entries)} {cadence.source} entries ({cadence.why}) "
            "and everything downstream, up to the published copy.",
        )
        schedules.append(_live_schedule(cadence, job))
    return schedules


def _live_schedule(cadence: Cadence, job: AssetJob) -> dg.ScheduleDefinition:
    @dg.schedule(
        name=f"{cadence.name}_schedule",
        cron_schedule=cadence.cron,
        execution_timezone="UTC",
        job=job,
        description=f"{cadence.why}; live mode only (INGEST_MODE=live).",
    )
    def _schedule(context: dg.ScheduleEvaluationContext):
        if not load_settings().is_live:
            return dg.SkipReason(
                "offline mode (INGEST_MODE=landing): the landing_files sensor refreshes instead"
            )
        tick = context.scheduled_execution_time or datetime.now(UTC)
        return dg.RunRequest(run_key=f"{cadence.name}:{tick.isoformat()}")

    return _schedule


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def loaded_hashes(serving_db: Path) -> dict[str, str]:
    """source_id -> SHA-256 of the payload the published warehouse last loaded for it."""
    if not serving_db.exists():
        return {}
    with duckdb.connect(str(serving_db), read_only=True) as con:
        rows = con.execute(
            "select source_id, payload_sha256 from raw.loads where status = 'loaded'"
        ).fetchall()
    return {source_id: sha for source_id, sha in rows if sha}


def changed_entries(catalog: Catalog, landing_dir: Path, loaded: dict[str, str]) -> dict[str, str]:
    """entry id -> combined hash of its landing files, for entries whose files changed."""
    changed = {}
    for entry in catalog.entries:
        hashes = []
        differs = False
        for spec in entry.landing:
            try:
                path = confined_path(landing_dir, spec.path)
            except IngestError:
                continue  # the ingest asset reports unsafe paths; the sensor only skips them
            if not path.is_file():
                continue
            sha = file_sha256(path)
            hashes.append(sha)
            differs |= loaded.get(entry.source_id(spec)) != sha
        if differs:
            changed[entry.id] = hashlib.sha256("".join(hashes).encode()).hexdigest()
    return changed


def build_landing_sensor(catalog: Catalog) -> dg.SensorDefinition:
    @dg.sensor(
        name="landing_files",
        minimum_interval_seconds=60,
        target=dg.AssetSelection.all(),
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="A new or changed landing file (by SHA-256, not mtime) ingests its catalog "
        "entry and everything downstream; an unchanged file triggers nothing. Landing mode only.",
    )
    def landing_files(context: dg.SensorEvaluationContext):
        settings = load_settings()
        if settings.is_live:
            return dg.SkipReason("live mode: the schedules refresh instead")
        if not settings.landing_dir.is_dir():
            return dg.SkipReason(f"landing folder {settings.landing_dir} does not exist")
        changed = changed_entries(catalog, settings.landing_dir, loaded_hashes(settings.serving_db))
        if not changed:
            return dg.SkipReason("no landing file changed since the published build")
        return [
            dg.RunRequest(
                run_key=f"landing:{entry_id}:{digest[:16]}",
                asset_selection=list(
                    _downstream([dg.AssetKey(["ingest", entry_id])]).resolve(
                        context.repository_def.asset_graph
                    )
                ),
                tags={"warehouse/trigger": f"landing file of {entry_id} changed"},
            )
            for entry_id, digest in sorted(changed.items())
        ]

    return landing_files


def failure_line(context: dg.RunFailureSensorContext) -> str:
    steps = context.get_step_failure_events()
    cause = "run failed before any step"
    if steps:
        error = steps[0].step_failure_data.error
        while error is not None and getattr(error, "cause", None) is not None:
            error = error.cause
        cause = (error.message if error else "unknown error").strip().splitlines()[0]
    elif context.failure_event.message:
        cause = context.failure_event.message.strip().splitlines()[0]
    failed = ", ".join(e.step_key for e in steps) or "none"
    run = context.dagster_run
    return f"run {run.run_id[:8]} ({run.job_name}) failed: steps {failed}: {cause[:300]}"


@dg.run_failure_sensor(
    name="failed_run_reason",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="One line per failed run: tags the run and appends to logs/failed_runs.log.",
)
def failed_run_reason(context: dg.RunFailureSensorContext) -> None:
    line = failure_line(context)
    context.instance.add_run_tags(context.dagster_run.run_id, {FAILURE_TAG: line[:1000]})
    FAILED_RUNS_LOG.parent.mkdir(parents=True, exist_ok=True)
    with open(FAILED_RUNS_LOG, "a") as log:
        log.write(json.dumps({"at": datetime.now(UTC).isoformat(), "reason": line}) + "\n")

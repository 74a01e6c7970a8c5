"""Ingest one catalog entry end to end: read or fetch, archive, parse, load.

This is the plain-Python unit of work each Dagster ingest asset calls. Each source (landing
file or live feed) of an entry is loaded in its own transaction: one bad file fails that
source, the entry's other files still load, and previously loaded rows of the bad source stay.
Every failure is recorded in raw.loads with its reason; when the warehouse is locked it waits
in a journal beside the database until the next write (``ingest.load_journal``).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb
import pandas as pd

from ingest.archive import ArchivedPayload, archive_payload
from ingest.calendars import all_sessions, sessions_recipe
from ingest.catalog import Catalog, LandingSpec, SeriesEntry
from ingest.config import Settings
from ingest.datasets import SERIES, SERIES_SOURCES, TRADING_SESSIONS, RawTable, create_table_sql
from ingest.errors import FetchError, IngestError, LandingMissingError, WarehouseBusyError
from ingest.landing_paths import confined_path
from ingest.load_journal import append_failure, journal_path, merge_pending
from ingest.loader import (
    FailedLoad,
    ensure_tables,
    record_failure,
    remove_sources_except,
    replace_source,
)
from ingest.parsers import FORMATS, ParseContext, ParseResult
from ingest.recipe import full_rebuild_requested, recipe_sha256
from ingest.sanitise import message as safe_message
from ingest.sanitise import snippet
from ingest.warehouse import reader, writer

log = logging.getLogger(__name__)

SESSIONS_START = "2000-01-01"


@dataclass
class SourceReport:
    source_id: str
    dataset: str
    origin: str
    status: str  # loaded | unchanged (same payload and recipe as the last load) | failed
    rows_loaded: int = 0
    rows_rejected: int = 0
    message: str | None = None


@dataclass
class EntryReport:
    series_id: str
    sources: list[SourceReport] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[SourceReport]:
        return [s for s in self.sources if s.status == "failed"]

    @property
    def rows_loaded(self) -> int:
        return sum(s.rows_loaded for s in self.sources)

    @property
    def rows_rejected(self) -> int:
        return sum(s.rows_rejected for s in self.sources)


@dataclass(frozen=True)
class CatalogSync:
    """What loading the catalog tables did: entries written, raw rows of dropped sources removed."""

    entries: int
    removed: dict[str, dict[str, int]]  # source_id -> {raw table: rows removed}

    @property
    def removed_rows(self) -> int:
        return sum(sum(tables.values()) for tables in self.removed.values())

    def summary(self) -> str:
        """One line for a run summary: how many raw rows of which source ids were removed."""
        if not self.removed:
            return "no source removed from the catalog"
        sources = ", ".join(
            f"{source_id} ({sum(tables.values())})" for source_id, tables in self.removed.items()
        )
        return (
            f"removed {self.removed_rows} raw rows of {len(self.removed)} source(s) no longer "
            f"in the catalog: {sources}"
        )


# The writer connection of an ``ingest_session``: every load of the session goes through it.
_SESSION: ContextVar[duckdb.DuckDBPyConnection | None] = ContextVar("ingest_session", default=None)


@contextmanager
def ingest_session(settings: Settings) -> Iterator[None]:
    """Hold one writer connection for many entries (the ingest step loads them all at once):
    one open and one checkpoint instead of one per source. Raises WarehouseBusyError when the
    file stays held longer than WRITER_WAIT_SECONDS."""
    with writer(settings.warehouse_db) as con:
        ensure_tables(con)
        merge_pending(con, settings.warehouse_db)
        token = _SESSION.set(con)
        try:
            yield
        finally:
            _SESSION.reset(token)


@contextmanager
def _warehouse(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """A writer connection with the tables in place and journaled failures merged first."""
    session = _SESSION.get()
    if session is not None:
        yield session
        return
    with writer(settings.warehouse_db) as con:
        ensure_tables(con)
        merge_pending(con, settings.warehouse_db)
        yield con


@contextmanager
def _reading(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    session = _SESSION.get()
    if session is not None:
        yield session
        return
    with reader(settings.warehouse_db) as con:
        yield con


def failure_message(exc: Exception) -> str:
    """What raw.loads.message says: the ingest error, or a short, content-free bug summary."""
    if isinstance(exc, WarehouseBusyError):
        text = str(exc)
        return safe_message(
            text if text.startswith("warehouse busy") else f"warehouse busy: {text}"
        )
    if isinstance(exc, IngestError):
        return safe_message(str(exc))
    # Anything else is a bug; its text may quote payload content, so only a snippet is kept.
    return f"{type(exc).__name__}: {snippet(exc)}"


def check_landing_dir(settings: Settings) -> None:
    if not settings.landing_dir.is_dir():
        raise LandingMissingError(
            f"landing folder {settings.landing_dir} does not exist. Clone this repository beside "
            "the shared data (../shared/raw), set LANDING_DIR to a folder of exports, or run "
            "live with INGEST_MODE=live."
        )


def _parse(fmt: str, content: bytes, origin: str, entry: SeriesEntry, options: dict) -> ParseResult:
    ctx = ParseContext(origin=origin, series_id=entry.id, options=dict(options))
    return FORMATS[fmt].parser(content, ctx)


def _load(
    settings: Settings,
    entry: SeriesEntry,
    source_id: str,
    dataset: str,
    payloads: list[ArchivedPayload],
    result: ParseResult,
    recipe: str | None = None,
) -> SourceReport:
    with _warehouse(settings) as con:
        outcome = replace_source(
            con,
            dataset_name=dataset,
            source_id=source_id,
            series_id=entry.id,
            payloads=payloads,
            result=result,
            asset_class=entry.asset_class,
            recipe_sha256=recipe,
        )
    origin = "; ".join(p.origin for p in payloads)
    return SourceReport(
        source_id, dataset, origin, "loaded", outcome.rows_loaded, outcome.rows_rejected
    )


def _fail(
    settings: Settings,
    entry: SeriesEntry,
    source_id: str,
    dataset: str,
    origin: str,
    exc: Exception,
) -> SourceReport:
    message = failure_message(exc)
    # A non-ingest exception is a bug somewhere: keep its traceback in the log.
    log.error("%s: %s", source_id, message, exc_info=not isinstance(exc, IngestError))
    failure = FailedLoad(source_id, entry.id, dataset, origin, datetime.now(UTC), message)
    if isinstance(exc, WarehouseBusyError):
        # The lock is the problem: waiting for it a second time would only double the delay.
        append_failure(settings.warehouse_db, failure)
    else:
        try:
            with _warehouse(settings) as con:
                record_failure(con, failure)
        except WarehouseBusyError:
            append_failure(settings.warehouse_db, failure)
    return SourceReport(source_id, dataset, origin, "failed", message=message)


def _last_loads(settings: Settings, source_ids: list[str]) -> dict[str, tuple[str, str]]:
    """source_id -> (payload SHA-256, recipe SHA-256) of its last successful load."""
    if full_rebuild_requested() or not settings.warehouse_db.exists():
        return {}
    if _SESSION.get() is None and _has_pending_failures(settings):
        # A journaled failure is newer than what raw.loads says: merge it, then judge.
        try:
            with _warehouse(settings):
                pass
        except WarehouseBusyError:
            return {}
    try:
        with _reading(settings) as con:
            rows = con.execute(
                "select source_id, payload_sha256, recipe_sha256 from raw.loads "
                "where status = 'loaded' and source_id in (select unnest(?))",
                [source_ids],
            ).fetchall()
    except duckdb.Error:
        return {}  # no raw.loads yet, or no recipe column yet: load everything
    return {source_id: (payload, recipe) for source_id, payload, recipe in rows if recipe}


def _has_pending_failures(settings: Settings) -> bool:
    path = journal_path(settings.warehouse_db)
    return path.exists() and path.stat().st_size > 0


def _ingest_landing(
    settings: Settings,
    entry: SeriesEntry,
    spec: LandingSpec,
    last_loads: dict[str, tuple[str, str]],
) -> SourceReport:
    source_id = entry.source_id(spec)
    try:
        path = confined_path(settings.landing_dir, spec.path)
        if not path.is_file():
            raise LandingMissingError(
                f"{path}: landing file not found (catalog entry {entry.id!r})"
            )
        content = path.read_bytes()
        recipe = recipe_sha256(entry, spec.format, spec.options)
        if last_loads.get(source_id) == (hashlib.sha256(content).hexdigest(), recipe):
            return SourceReport(source_id, spec.dataset, spec.path, "unchanged")
        archived = archive_payload(content, spec.path, settings.archive_dir)
        result = _parse(spec.format, content, spec.path, entry, spec.options)
        return _load(settings, entry, source_id, spec.dataset, [archived], result, recipe)
    except Exception as exc:  # noqa: BLE001 - one bad source must not stop the others
        return _fail(settings, entry, source_id, spec.dataset, spec.path, exc)


def _ingest_live(settings: Settings, entry: SeriesEntry) -> SourceReport:
    from ingest.connectors.http import HttpClient
    from ingest.connectors.live import fetch_live

    assert entry.live is not None
    source_id = entry.source_id(None)
    options = dict(entry.landing[0].options) if entry.landing else {}
    options.update({k: v for k, v in entry.live.params.items() if k in {"product", "invert"}})
    dataset = "?"
    origin = entry.live.source
    try:
        with HttpClient() as client:
            fetched = fetch_live(entry.live, client)
        if not fetched:
            raise FetchError(f"{entry.live.source} returned no payload for {entry.id}")
        dataset = FORMATS[fetched[0].format].dataset
        recipe = recipe_sha256(entry, fetched[0].format, options)
        shas = [hashlib.sha256(p.content).hexdigest() for p in fetched]
        if _last_loads(settings, [source_id]).get(source_id) == (",".join(shas), recipe):
            return SourceReport(source_id, dataset, origin, "unchanged")
        archived = [
            archive_payload(p.content, p.origin, settings.archive_dir, p.fetched_at)
            for p in fetched
        ]
        results = [_parse(p.format, p.content, p.origin, entry, options) for p in fetched]
        merged = ParseResult(
            frame=pd.concat([r.frame for r in results], ignore_index=True),
            rejects=[rej for r in results for rej in r.rejects],
        )
        return _load(settings, entry, source_id, dataset, archived, merged, recipe)
    except Exception as exc:  # noqa: BLE001 - one bad source must not stop the others
        return _fail(settings, entry, source_id, dataset, origin, exc)


def busy_report(settings: Settings, entry: SeriesEntry, exc: WarehouseBusyError) -> EntryReport:
    """Every source of ``entry`` failed because the warehouse stayed busy: journaled, so the next
    write records them in raw.loads."""
    report = EntryReport(entry.id)
    if settings.is_live and entry.live is not None:
        sources = [(entry.source_id(None), "?", entry.live.source)]
    else:
        sources = [(entry.source_id(spec), spec.dataset, spec.path) for spec in entry.landing]
    for source_id, dataset, origin in sources:
        report.sources.append(_fail(settings, entry, source_id, dataset, origin, exc))
    return report


def ingest_entry(settings: Settings, entry: SeriesEntry) -> EntryReport:
    """Load every source of ``entry``; live first when INGEST_MODE=live and it has one."""
    started = time.monotonic()
    report = EntryReport(entry.id)
    if settings.is_live and entry.live is not None:
        report.sources.append(_ingest_live(settings, entry))
    else:
        if settings.is_live:
            log.info("%s has no live source; reading its landing files", entry.id)
        last_loads = _last_loads(settings, [entry.source_id(spec) for spec in entry.landing])
        for spec in entry.landing:
            report.sources.append(_ingest_landing(settings, entry, spec, last_loads))
    report.seconds = time.monotonic() - started
    return report


def _replace_table(con: duckdb.DuckDBPyConnection, table: RawTable, frame_name: str) -> None:
    """Replace raw.<table> as ``ingest.datasets`` declares it with the rows of a registered frame."""
    columns = ", ".join(f'"{name}"' for name in table.column_names)
    con.execute(create_table_sql(table, replace=True))
    con.execute(f"INSERT INTO raw.{table.table} ({columns}) SELECT {columns} FROM {frame_name}")


def load_catalog_tables(settings: Settings, catalog: Catalog) -> int:
    """Write the catalog tables (see ``sync_catalog_tables``); returns the number of entries."""
    return sync_catalog_tables(settings, catalog).entries


def sync_catalog_tables(settings: Settings, catalog: Catalog) -> CatalogSync:
    """Write the catalog itself to raw.series and raw.series_sources (dbt reads it from there).

    In the same transaction, the raw rows (data, loads, rejects, payloads) of every source that
    is no longer in the catalog are removed, so raw.* describes this catalog and nothing else.
    """
    series = pd.DataFrame(
        [
            {
                "series_id": e.id,
                "name": e.name,
                "asset_class": e.asset_class,
                "calendar": e.calendar,
                "currency": e.currency,
                "quote_convention": e.quote,
                "unit": e.unit,
                "benchmark_series_id": e.benchmark,
                "description": e.description,
                "live_source": e.live.source if e.live else None,
            }
            for e in catalog.entries
        ],
        columns=SERIES.column_names[:-2],  # catalog_path and loaded_at are added below
    )
    sources = []
    for e in catalog.entries:
        # Precedence 1 is preferred: live first, then primary files with later files (newer
        # parts of a stitched series) ahead of earlier ones, then secondary files.
        primaries = [s for s in e.landing if s.primary]
        secondaries = [s for s in e.landing if not s.primary]
        ranked: list[tuple[str, LandingSpec | None]] = []
        if e.live:
            ranked.append(("live", None))
        ranked += [("landing", s) for s in reversed(primaries)]
        ranked += [("landing", s) for s in secondaries]
        for rank, (kind, spec) in enumerate(ranked, start=1):
            sources.append(
                {
                    "source_id": e.source_id(spec),
                    "series_id": e.id,
                    "kind": kind,
                    "landing_path": spec.path if spec else None,
                    "format": spec.format if spec else e.live.source,
                    "dataset": spec.dataset if spec else None,
                    "is_primary": spec.primary if spec else True,
                    "precedence": rank,
                    "invert": bool(spec.options.get("invert", False)) if spec else False,
                }
            )
    sources_frame = pd.DataFrame(
        sources,
        columns=SERIES_SOURCES.column_names[:-1],  # loaded_at is added below
    )
    loaded_at = datetime.now(UTC)
    with _warehouse(settings) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            con.register(
                "series_in",
                series.assign(catalog_path=str(catalog.path.name), loaded_at=loaded_at),
            )
            con.register("sources_in", sources_frame.assign(loaded_at=loaded_at))
            _replace_table(con, SERIES, "series_in")
            _replace_table(con, SERIES_SOURCES, "sources_in")
            removed = remove_sources_except(con, set(sources_frame["source_id"]))
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    sync = CatalogSync(entries=len(series), removed=removed)
    if removed:
        log.warning("%s", sync.summary())
    return sync


def load_trading_sessions(settings: Settings, catalog: Catalog, end: str | None = None) -> int:
    """Write raw.trading_sessions for every calendar the catalog uses (XNYS always: ETF flows).

    Building the calendars takes about a second; when the table already holds the sessions of
    the same calendars, range and exchange_calendars version (its recipe, kept as the table's
    comment) it is left as it is, unless FULL=1."""
    calendars = sorted(set(catalog.calendars()) | {"XNYS"})
    end = end or f"{datetime.now(UTC).year + 1}-12-31"
    recipe = sessions_recipe(calendars, SESSIONS_START, end)
    if not full_rebuild_requested():
        with _warehouse(settings) as con:
            rows = _rows_if_recipe(con, TRADING_SESSIONS, recipe)
        if rows is not None:
            return rows
    frame = all_sessions(calendars, SESSIONS_START, end).assign(loaded_at=datetime.now(UTC))
    with _warehouse(settings) as con:
        con.register("sessions_in", frame)
        _replace_table(con, TRADING_SESSIONS, "sessions_in")
        con.execute(f"COMMENT ON TABLE raw.{TRADING_SESSIONS.table} IS '{recipe}'")
    return len(frame)


def _rows_if_recipe(con: duckdb.DuckDBPyConnection, table: RawTable, recipe: str) -> int | None:
    """The row count of raw.<table> when its comment says it was made from ``recipe``."""
    found = con.execute(
        "select comment from duckdb_tables() where database_name = current_database() "
        "and schema_name = 'raw' and table_name = ?",
        [table.table],
    ).fetchone()
    if found is None or found[0] != recipe:
        return None
    return con.execute(f"select count(*) from raw.{table.table}").fetchone()[0]

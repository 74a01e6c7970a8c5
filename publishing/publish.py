"""Publish a read copy of the warehouse for readers, atomically, after a green build.

Readers (BI tools, SQL users, the endpoint) never open the pipeline's own file. The copy is built
beside its destination from one consistent snapshot (taken under the pipeline's writer lock),
checkpointed, fsynced, and swapped in with ``os.replace``: a new reader opens either the previous
complete build or the new one, and a reader holding the old file keeps reading its inode. Views
become tables, but for the pairs x days one (served_views.py: a view over copies of the tables it
reads), so the copy stands alone; dbt's descriptions travel as COMMENTs; ``meta.build_info`` says
which build it is. The Parquet exports are written from the same snapshot (see exports.py);
two connections write the copy and the exports at once (see copying.py).
"""

from __future__ import annotations

import logging
import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest.config import REPO_ROOT
from ingest.warehouse import writer
from publishing.build_state import state_fingerprint
from publishing.copying import CopyCrew, Relation, Task, describe, ordered_tasks
from publishing.docs import source_docs
from publishing.exports import ExportBuild, swap_exports
from publishing.served_views import ServedViewError, ViewPlan, create_views, plan_views
from publishing.sql import quote, sql_string

log = logging.getLogger(__name__)

# What readers query: contracted marts, typed staging, the raw tables with lineage and rejects,
# and of intermediate only the models named here; the rest of intermediate.* stays private
# (internal steps whose shape may change between releases).
PUBLISHED_SCHEMAS = ("marts", "staging", "raw", "intermediate")
PUBLISHED_INTERMEDIATE = (
    # The bars in the catalog's terms: calendar, is_session and is_inverted per source and day
    # (in staging.stg_daily_bars until staging became typing only).
    "int_daily_bars",
)
META_SCHEMA = "meta"
# DuckDB 1.x clients (BI drivers, extension wheels) must be able to open the copy.
STORAGE_VERSION = "v1.0.0"


@dataclass(frozen=True)
class Publication:
    build_id: str
    run_id: str
    published_at: datetime
    serving_db: Path
    export_dir: Path
    row_counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def tables(self) -> int:
        return len(self.row_counts)

    @property
    def rows(self) -> int:
        return sum(self.row_counts.values())


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def new_build_id(run_id: str, now: datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + (run_id[:8] or "manual")


def _warehouse_relations(con: duckdb.DuckDBPyConnection) -> list[Relation]:
    """Every table and view of the warehouse, in a stable order."""
    rows = con.execute(
        """
        select * from (
            select schema_name, table_name as name, comment, false, estimated_size
            from duckdb_tables()
            where database_name = current_database()
            union all
            select schema_name, view_name, comment, true, 0 from duckdb_views()
            where database_name = current_database() and not internal
        )
        order by 1, 2
        """
    ).fetchall()
    return [Relation(*row) for row in rows]


def _is_published(relation: Relation) -> bool:
    return relation.schema in PUBLISHED_SCHEMAS and (
        relation.schema != "intermediate" or relation.name in PUBLISHED_INTERMEDIATE
    )


@dataclass(frozen=True)
class CopyPlan:
    """What a publish copies: the relations readers get (``published``), the views the copy
    keeps as views with what they read (``views``), and the copies and Parquet files to make."""

    published: list[Relation]
    views: ViewPlan
    view_relations: list[Relation]  # the warehouse's own, for their descriptions
    tasks: list[Task]


def plan_copy(con: duckdb.DuckDBPyConnection) -> CopyPlan:
    """The copy of ``con``'s current database: every published relation copied as a table and
    written as Parquet, but the served views (served_views.py), made as views after the copies
    of the tables they read (not published: their copies only). A served view whose SQL cannot
    be carried over is copied as a table, as every other view, with a warning."""
    everything = {r.key: r for r in _warehouse_relations(con)}
    published = [r for r in everything.values() if _is_published(r)]
    try:
        views = plan_views(con)
    except ServedViewError as exc:
        log.warning("%s: published as a table instead of a view", exc)
        views = ViewPlan()
    inputs = [everything[key] for key in views.tables if not _is_published(everything[key])]
    served = frozenset(v.key for v in views.views)
    return CopyPlan(
        published=published,
        views=views,
        view_relations=[everything[v.key] for v in views.views],
        tasks=ordered_tasks(published, served, inputs),
    )


def _write_build_info(
    con: duckdb.DuckDBPyConnection,
    build_id: str,
    run_id: str,
    published_at: datetime,
    rows: int,
    state: str | None,
) -> None:
    con.execute(f"create schema pub.{META_SCHEMA}")
    con.execute(
        f"""
        create table pub.{META_SCHEMA}.build_info as
        select ?::varchar as build_id, ?::varchar as run_id, ?::timestamptz as published_at,
               ?::varchar as git_commit, ?::bigint as total_rows, ?::varchar as build_state
        """,
        [build_id, run_id, published_at, _git_commit(), rows, state],
    )
    con.execute(
        f"comment on table pub.{META_SCHEMA}.build_info is "
        "'The build readers currently see: one row, written by the publish step.'"
    )


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def failed_loads(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Sources whose last load failed (raw.loads): a build with one is not published."""
    exists = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'raw' and table_name = 'loads'"
    ).fetchone()[0]
    if not exists:
        return []
    rows = con.execute("select source_id from raw.loads where status = 'failed' order by 1")
    return [r[0] for r in rows.fetchall()]


def publish(
    private_db: Path,
    serving_db: Path,
    export_dir: Path,
    run_id: str = "",
    progress: Callable[[str], None] | None = None,
) -> Publication:
    """Copy the published schemas of ``private_db`` to ``serving_db`` and ``export_dir``,
    atomically; ``progress`` gets a line every few seconds while it runs."""
    started = time.monotonic()
    published_at = datetime.now(UTC)
    build_id = new_build_id(run_id, published_at)
    serving_db.parent.mkdir(parents=True, exist_ok=True)
    staged_db = serving_db.with_name(f".{serving_db.name}.{build_id}.tmp")
    staged_db.unlink(missing_ok=True)
    exports = ExportBuild(export_dir, build_id)
    try:
        with writer(private_db) as con:
            con.execute(
                f"attach {sql_string(str(staged_db))} as pub "
                f"(storage_version {sql_string(STORAGE_VERSION)})"
            )
            try:
                for schema in PUBLISHED_SCHEMAS:
                    con.execute(f"create schema pub.{quote(schema)}")
                plan = plan_copy(con)
                # the copy and the Parquet files on two connections; the files from the private
                # relations, the snapshot the copy reads (the writer lock keeps writers out)
                docs = source_docs()
                counted = CopyCrew(con, exports, docs, progress).run(plan.tasks)
                create_views(con, plan.views, "pub")
                for view in plan.view_relations:
                    describe(con, view, "view", docs)
                row_counts = {r.key: counted[r.key] for r in plan.published}
                _write_build_info(
                    con,
                    build_id,
                    run_id,
                    published_at,
                    sum(row_counts.values()),
                    state_fingerprint(con),
                )
                con.execute("checkpoint pub")
            finally:
                con.execute("detach pub")
        # Read-only on disk too: a client that opens it read-write by mistake gets an error
        # instead of edits that the next publish would silently replace.
        staged_db.chmod(0o444)
        _fsync(staged_db)
        os.replace(staged_db, serving_db)
        _fsync(serving_db.parent)
        swap_exports(exports)
    except BaseException:
        staged_db.unlink(missing_ok=True)
        exports.discard()
        raise
    publication = Publication(
        build_id=build_id,
        run_id=run_id,
        published_at=published_at,
        serving_db=serving_db,
        export_dir=export_dir,
        row_counts=row_counts,
        seconds=time.monotonic() - started,
    )
    log.info(
        "published build %s: %d tables, %d rows to %s in %.1fs",
        build_id,
        publication.tables,
        publication.rows,
        serving_db,
        publication.seconds,
    )
    return publication


def current_build(serving_db: Path) -> dict[str, object] | None:
    """What readers see now: the published copy's build_info row, or None before the first one."""
    if not serving_db.exists():
        return None
    with duckdb.connect(str(serving_db), read_only=True) as con:
        cursor = con.execute(f"select * from {META_SCHEMA}.build_info")
        row = cursor.fetchone()
        keys = [d[0] for d in cursor.description]
    return None if row is None else dict(zip(keys, row, strict=True))

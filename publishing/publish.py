"""Publish a read copy of the warehouse for readers, atomically, after a green build.

Readers (BI tools, SQL users, the endpoint) never open the pipeline's own file. The copy is built
beside its destination from one consistent snapshot (taken under the pipeline's writer lock),
checkpointed, fsynced, and swapped in with ``os.replace``: a new reader opens either the previous
complete build or the new one, and a reader holding the old file keeps reading its inode. Views
become tables, so the copy stands alone; dbt's descriptions travel as COMMENTs; ``meta.build_info``
says which build it is. The Parquet exports are written from the same snapshot (see exports.py).
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest.config import REPO_ROOT
from ingest.warehouse import writer
from publishing.build_state import state_fingerprint
from publishing.docs import SourceDocs, source_docs
from publishing.exports import ExportBuild, swap_exports

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


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


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


def _relations(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str | None]]:
    """(schema, name, comment) of every table and view the copy carries, in a stable order."""
    schemas = ", ".join(_sql_string(s) for s in PUBLISHED_SCHEMAS)
    intermediate = ", ".join(_sql_string(name) for name in PUBLISHED_INTERMEDIATE)
    return con.execute(
        f"""
        select * from (
            select schema_name, table_name as name, comment from duckdb_tables()
            where database_name = current_database()
            union all
            select schema_name, view_name, comment from duckdb_views()
            where database_name = current_database() and not internal
        )
        where schema_name in ({schemas})
            and (schema_name <> 'intermediate' or name in ({intermediate}))
        order by 1, 2
        """
    ).fetchall()


def _copy_relation(
    con: duckdb.DuckDBPyConnection, schema: str, name: str, comment: str | None, docs: SourceDocs
) -> int:
    """Copy one table or view as a table, with its description and its columns' descriptions."""
    source = f"{_quote(schema)}.{_quote(name)}"
    target = f"pub.{source}"
    con.execute(f"create table {target} as select * from {source}")
    table_doc, column_docs = docs.get((schema, name), (None, {}))
    if comment or table_doc:
        con.execute(f"comment on table {target} is {_sql_string(comment or table_doc)}")
    columns = con.execute(
        "select column_name, comment from duckdb_columns() "
        "where database_name = current_database() and schema_name = ? and table_name = ?",
        [schema, name],
    ).fetchall()
    for column, text in columns:
        text = text or column_docs.get(column)
        if text:
            con.execute(f"comment on column {target}.{_quote(column)} is {_sql_string(text)}")
    return con.execute(f"select count(*) from {target}").fetchone()[0]


class _Exporter:
    """Writes every relation's Parquet file from the private warehouse on a connection of its
    own, in a thread of its own, while the publish copies the same relations."""

    def __init__(self, con: duckdb.DuckDBPyConnection, exports: ExportBuild) -> None:
        self.con = con.cursor()
        self.exports = exports
        self.stopped = threading.Event()

    def run(self, relations: list[tuple[str, str, str | None]]) -> None:
        try:
            for schema, name, _comment in relations:
                if self.stopped.is_set():
                    return
                self.exports.write_table(self.con, f"{_quote(schema)}.{_quote(name)}", schema, name)
        finally:
            self.con.close()

    def stop(self) -> None:
        """The publish failed: its files will be discarded, write no more of them."""
        self.stopped.set()
        with contextlib.suppress(duckdb.Error):  # closed already: it was done
            self.con.interrupt()


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


def publish(private_db: Path, serving_db: Path, export_dir: Path, run_id: str = "") -> Publication:
    """Copy the published schemas of ``private_db`` to ``serving_db`` and ``export_dir``, atomically."""
    started = time.monotonic()
    published_at = datetime.now(UTC)
    build_id = new_build_id(run_id, published_at)
    serving_db.parent.mkdir(parents=True, exist_ok=True)
    staged_db = serving_db.with_name(f".{serving_db.name}.{build_id}.tmp")
    staged_db.unlink(missing_ok=True)
    exports = ExportBuild(export_dir, build_id)
    row_counts: dict[str, int] = {}
    try:
        # the Parquet files are written from the private relations by a second connection while
        # the first copies them: one snapshot (the writer lock keeps every other writer out),
        # the two on the machine's two cores (the copy is a single-threaded insert)
        with writer(private_db) as con, ThreadPoolExecutor(max_workers=1) as export_thread:
            con.execute(
                f"attach {_sql_string(str(staged_db))} as pub "
                f"(storage_version {_sql_string(STORAGE_VERSION)})"
            )
            exporter: _Exporter | None = None
            try:
                # One transaction for the whole copy: its ~900 statements (tables and their
                # column descriptions) commit once instead of one by one (2.4 s less).
                con.execute("begin transaction")
                for schema in PUBLISHED_SCHEMAS:
                    con.execute(f"create schema pub.{_quote(schema)}")
                docs = source_docs()
                relations = _relations(con)
                exporter = _Exporter(con, exports)
                exported = export_thread.submit(exporter.run, relations)
                for schema, name, comment in relations:
                    count = _copy_relation(con, schema, name, comment, docs)
                    row_counts[f"{schema}.{name}"] = count
                _write_build_info(
                    con,
                    build_id,
                    run_id,
                    published_at,
                    sum(row_counts.values()),
                    state_fingerprint(con),
                )
                con.execute("commit")
                con.execute("checkpoint pub")
                exported.result()
            except BaseException:
                if exporter is not None:
                    exporter.stop()
                with contextlib.suppress(duckdb.Error):
                    con.execute("rollback")
                raise
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

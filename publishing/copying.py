"""The publish's work on two connections of the private warehouse: each published relation's copy
into the staged file (attached as ``pub``) and its Parquet file, handed out largest first.

One connection doing it all wrote the largest relation (``fct_abnormal_returns``: pairs x days,
a view computed as it is written; the copy keeps it a view, served_views.py, its Parquet file has
every row) and then everything else; two take tasks from one list, so everything else runs
beside it. Each connection copies in one transaction of its own (its hundreds of statements
commit once); the staged file is not seen by anyone before the publish swaps it in, so the two
commits need not be one.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import duckdb

from publishing.docs import SourceDocs
from publishing.exports import ExportBuild
from publishing.sql import quote, sql_string

WORKERS = 2  # the two cores of the machines this runs on
PROGRESS_EVERY_SECONDS = 5.0  # a line on what runs, while a large publish takes its time


@dataclass(frozen=True)
class Relation:
    schema: str
    name: str
    comment: str | None
    is_view: bool
    estimated_rows: int  # DuckDB's estimate for a table; 0 for a view (computed when read)

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def source(self) -> str:
        return f"{quote(self.schema)}.{quote(self.name)}"


@dataclass(frozen=True)
class Task:
    action: str  # "copy" (into pub) or "export" (its Parquet file)
    relation: Relation


def ordered_tasks(
    relations: Sequence[Relation],
    served_as_views: frozenset[str] = frozenset(),
    view_inputs: Sequence[Relation] = (),
) -> list[Task]:
    """Largest first, so that the last task to finish is a small one: the views before the
    tables (a view's size is unknown until it is computed, and the pairs x days one is the
    largest relation at scale; marts sort before staging), the tables by estimated rows; a
    relation's copy before its Parquet file. A relation the copy serves as a view
    (``served_as_views``: the view is made after the copies) has its Parquet file only; a table
    only such views read (``view_inputs``) its copy only."""
    inputs = {r.key for r in view_inputs}
    ordered = sorted(
        [*relations, *view_inputs], key=lambda r: (not r.is_view, -r.estimated_rows, r.key)
    )
    return [
        Task(action, r)
        for r in ordered
        for action in ("copy", "export")
        if not (action == "copy" and r.key in served_as_views)
        and not (action == "export" and r.key in inputs)
    ]


def copy_relation(con: duckdb.DuckDBPyConnection, relation: Relation, docs: SourceDocs) -> int:
    """Copy one table or view as a table, with its description and its columns' descriptions."""
    target = f"pub.{relation.source}"
    con.execute(f"create table {target} as select * from {relation.source}")
    describe(con, relation, "table", docs)
    return con.execute(f"select count(*) from {target}").fetchone()[0]


def describe(
    con: duckdb.DuckDBPyConnection, relation: Relation, kind: str, docs: SourceDocs
) -> None:
    """Give the copy's ``kind`` (table or view) of ``relation`` the warehouse's descriptions of it
    and of its columns (dbt's, or the sources' for the raw tables)."""
    target = f"pub.{relation.source}"
    table_doc, column_docs = docs.get((relation.schema, relation.name), (None, {}))
    comment = relation.comment or table_doc
    if comment:
        con.execute(f"comment on {kind} {target} is {sql_string(comment)}")
    columns = con.execute(
        "select column_name, comment from duckdb_columns() "
        "where database_name = current_database() and schema_name = ? and table_name = ?",
        [relation.schema, relation.name],
    ).fetchall()
    for column, text in columns:
        text = text or column_docs.get(column)
        if text:
            con.execute(f"comment on column {target}.{quote(column)} is {sql_string(text)}")


class CopyCrew:
    """Runs the tasks on ``WORKERS`` connections of ``con``'s database; the first error stops
    every worker and is raised (the caller discards the staged file and the Parquet folder)."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        exports: ExportBuild,
        docs: SourceDocs,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.con = con
        self.exports = exports
        self.docs = docs
        self.progress = progress
        self.row_counts: dict[str, int] = {}
        self._tasks: list[Task] = []
        self._total = 0
        self._running: dict[str, Task] = {}  # worker thread name -> its task
        self._lock = threading.Lock()
        self._failed = threading.Event()
        self._errors: list[BaseException] = []
        self._cursors: list[duckdb.DuckDBPyConnection] = []

    def run(self, tasks: Sequence[Task]) -> dict[str, int]:
        """Copy and export; the copied relations' row counts by schema.name."""
        self._tasks = list(reversed(tasks))  # popped from the end
        self._total = len(tasks)
        self._cursors = [self.con.cursor() for _ in range(WORKERS)]
        threads = [threading.Thread(target=self._work, args=(c,)) for c in self._cursors]
        for thread in threads:
            thread.start()
        try:
            self._wait(threads)
        except BaseException:  # Ctrl-C reaches this thread only: stop the workers first
            self._stop()
            for thread in threads:
                thread.join()
            raise
        if self._errors:
            raise self._errors[0]
        return self.row_counts

    def _wait(self, threads: list[threading.Thread]) -> None:
        """Join the workers, saying every PROGRESS_EVERY_SECONDS what they are on."""
        report_at = time.monotonic() + PROGRESS_EVERY_SECONDS
        for thread in threads:
            while thread.is_alive():
                thread.join(timeout=max(report_at - time.monotonic(), 0.0))
                if thread.is_alive() and time.monotonic() >= report_at:
                    report_at += PROGRESS_EVERY_SECONDS
                    if self.progress is not None:
                        self.progress(self._status())

    def _status(self) -> str:
        with self._lock:
            done = self._total - len(self._tasks) - len(self._running)
            running = ", ".join(
                f"{'copying' if t.action == 'copy' else 'exporting'} {t.relation.key}"
                for t in self._running.values()
            )
        return (
            f"publishing: {done} of {self._total} copies and Parquet files done; "
            f"{running or 'committing the copy'}"
        )

    def _next(self, worker: str) -> Task | None:
        with self._lock:
            self._running.pop(worker, None)
            if not self._tasks or self._failed.is_set():
                return None
            task = self._running[worker] = self._tasks.pop()
            return task

    def _work(self, cursor: duckdb.DuckDBPyConnection) -> None:
        try:
            cursor.execute("begin transaction")
            worker = threading.current_thread().name
            while (task := self._next(worker)) is not None:
                if task.action == "copy":
                    count = copy_relation(cursor, task.relation, self.docs)
                    with self._lock:
                        self.row_counts[task.relation.key] = count
                else:
                    relation = task.relation
                    count = self.exports.write_table(
                        cursor, relation.source, relation.schema, relation.name
                    )
                    with self._lock:  # what a relation served as a view counts (no copy)
                        self.row_counts.setdefault(relation.key, count)
            if not self._failed.is_set():
                cursor.execute("commit")
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread by run()
            with self._lock:
                self._errors.append(exc)
            self._stop()
        finally:
            with contextlib.suppress(duckdb.Error):
                cursor.execute("rollback")  # nothing to roll back after a commit
            cursor.close()

    def _stop(self) -> None:
        self._failed.set()
        for cursor in self._cursors:
            with contextlib.suppress(duckdb.Error):  # closed already: it was done
                cursor.interrupt()

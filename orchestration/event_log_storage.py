"""Dagster's SQLite event log, with its connections kept open (named in orchestration/dagster.yaml).

Dagster's ``SqliteEventLogStorage`` creates an engine, opens a connection, commits with an fsync
and closes it (which checkpoints the WAL) for every event it stores. A build stores about 2,000
events (a materialisation and a check result per dbt model and test, each mirrored into the
index database), and those opens, fsyncs and checkpoints took 30-40 s of a 100 s `make run`.

This subclass keeps one open connection per database file for the few most recently used
files, and commits in WAL mode with ``synchronous=NORMAL``: a commit no longer waits for the
disk, and a crash of the process loses nothing committed (a power cut may lose the last
events, which only describe history). The schema, the files and their layout are Dagster's own,
so the UI, the daemon and an instance without this class read the same history.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dagster import Field, StringSource
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

from ingest.config import env_value

# Open files kept per process: a run's own file and the index, plus a few runs the UI shows.
OPEN_SHARDS = 8


def default_base_dir() -> str:
    """Where Dagster keeps per-run event logs by default: $DAGSTER_HOME/history/runs."""
    home = env_value("DAGSTER_HOME")
    if not home:
        raise ValueError(
            "OpenSqliteEventLogStorage: set DAGSTER_HOME (make does) or give it a base_dir"
        )
    return os.path.join(home, "history", "runs")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class OpenSqliteEventLogStorage(SqliteEventLogStorage):
    """SqliteEventLogStorage that reuses one connection per shard file (see module docstring)."""

    def __init__(self, base_dir: str | None = None, inst_data: ConfigurableClassData | None = None):
        # Set before the parent's __init__, which may already connect (first-time indexing).
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        super().__init__(base_dir or default_base_dir(), inst_data=inst_data)

    @classmethod
    def config_type(cls) -> dict[str, Field]:
        return {"base_dir": Field(StringSource, is_required=False)}

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: dict[str, Any]
    ) -> OpenSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.pop(shard, None)
        if engine is None:
            # One connection per file (StaticPool), shared by the threads of a webserver:
            # _db_lock already lets only one of them use it at a time.
            engine = create_engine(
                self.conn_string_for_shard(shard),
                poolclass=StaticPool,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            )
            event.listen(engine, "connect", _sqlite_pragmas)
        self._engines[shard] = engine
        while len(self._engines) > OPEN_SHARDS:
            _, oldest = self._engines.popitem(last=False)
            oldest.dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def _close_all(self) -> None:
        with self._db_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()

    def wipe(self) -> None:
        self._close_all()  # before the parent deletes the files
        super().wipe()

    def dispose(self) -> None:
        self._close_all()
        super().dispose()

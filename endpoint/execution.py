"""Running one query on DuckDB off the event loop, bounded in time, cancellable, typed for Postgres.

Each query runs in a worker thread (DuckDB releases the GIL while it works, so clients run in
parallel). A timer interrupts it at the session's statement timeout; a client's CancelRequest
interrupts it too. Either way the client gets 57014 and the connection stays usable.
"""

from __future__ import annotations

import asyncio
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import duckdb
from pg_mimic import ResultColumn

from endpoint import pgtypes
from endpoint.column_names import postgres_names
from endpoint.errors import to_pg_error

_WAIT_FOR_INTERRUPTED_SECONDS = 30.0
_REINTERRUPT_SECONDS = 0.05


@dataclass
class QueryResult:
    columns: list[ResultColumn]
    rows: list[tuple]


class _Deadline:
    """Interrupts a cursor at the timeout or on cancel, never after the query finished.

    An interrupt that reaches DuckDB just before the query begins is lost, so interrupting goes
    on, every few milliseconds, until the query has stopped.
    """

    def __init__(self, cursor: duckdb.DuckDBPyConnection):
        self.cursor = cursor
        self.lock = threading.Lock()
        self.finished = threading.Event()
        self.timed_out = False

    def interrupt(self) -> bool:
        """Interrupt once; False when the query already finished."""
        with self.lock:
            if self.finished.is_set():
                return False
            self.cursor.interrupt()
            return True

    def expire(self) -> None:
        self.timed_out = True
        while self.interrupt() and not self.finished.wait(_REINTERRUPT_SECONDS):
            pass

    def finish(self) -> None:
        with self.lock:
            self.finished.set()


class QueryRunner:
    def __init__(self, max_workers: int):
        self.executor = ThreadPoolExecutor(max_workers, thread_name_prefix="endpoint-query")

    async def run(
        self, cursor: duckdb.DuckDBPyConnection, sql: str, params: list[Any], timeout: float
    ) -> QueryResult:
        return await self._in_thread(cursor, timeout, lambda: _execute(cursor, sql, params))

    async def describe(
        self, cursor: duckdb.DuckDBPyConnection, sql: str, n_params: int, timeout: float
    ) -> list[ResultColumn]:
        """Column shape without parameter values: the query over NULLs with LIMIT 0."""
        wrapped = f"SELECT * FROM ({sql}) AS described LIMIT 0"
        result = await self._in_thread(
            cursor, timeout, lambda: _execute(cursor, wrapped, [None] * n_params)
        )
        return result.columns

    async def _in_thread(self, cursor, timeout: float, work) -> QueryResult:
        deadline = _Deadline(cursor)

        def timed_work() -> QueryResult:
            timer = threading.Timer(timeout, deadline.expire)
            timer.daemon = True
            timer.start()
            try:
                return work()
            except duckdb.Error as error:
                raise to_pg_error(error, timed_out=deadline.timed_out, timeout=timeout) from None
            finally:
                deadline.finish()
                timer.cancel()

        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self.executor, timed_work)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            # A CancelRequest (pg_mimic cancels the task): stop DuckDB, let the thread finish
            # so the cursor is free again, then report the cancellation.
            waited = 0.0
            while deadline.interrupt() and waited < _WAIT_FOR_INTERRUPTED_SECONDS:
                await asyncio.wait([future], timeout=_REINTERRUPT_SECONDS)
                waited += _REINTERRUPT_SECONDS
            await asyncio.wait([future], timeout=_WAIT_FOR_INTERRUPTED_SECONDS)
            if future.done() and not future.cancelled():
                future.exception()  # retrieved: the client gets 57014 from pg_mimic instead
            raise

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


def _execute(cursor: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> QueryResult:
    relation = cursor.sql(sql, params=params or None)
    if relation is None:  # not a query (the guard lets none through, but never crash on one)
        return QueryResult([], [])
    types = [pgtypes.column_type(str(t)) for t in relation.types]
    names = postgres_names(sql, relation.columns)
    columns = [ResultColumn(name, t.oid) for name, t in zip(names, types, strict=True)]
    rows = relation.fetchall()
    text_columns = [i for i, t in enumerate(types) if t.as_text]
    if text_columns and rows:
        rows = [_as_text(row, text_columns) for row in rows]
    return QueryResult(columns, rows)


def _as_text(row: tuple, indexes: list[int]) -> tuple:
    values = list(row)
    for i in indexes:
        value = values[i]
        if value is not None and not isinstance(value, str):
            values[i] = json.dumps(value, default=str)
    return tuple(values)


def typed_param(oid: int | None, value: Any) -> Any:
    """A bound parameter as the Python value DuckDB should see, from its declared Postgres type.

    pg_mimic hands parameters over as text whatever their wire format; typing them here keeps
    ``SELECT $1`` with an int8 parameter an integer rather than a string.
    """
    if value is None or not isinstance(value, str) or oid in (None, 0):
        return value
    try:
        if oid in (pgtypes.INT2, pgtypes.INT4, pgtypes.INT8, pgtypes.OID):
            return int(value)
        if oid in (pgtypes.FLOAT4, pgtypes.FLOAT8):
            return float(value)
        if oid == pgtypes.NUMERIC:
            return Decimal(value)
        if oid == pgtypes.BOOL:
            return value.lower() in ("t", "true", "1", "on", "yes", "y")
        if oid == pgtypes.DATE:
            return date.fromisoformat(value)
        if oid in (pgtypes.TIMESTAMP, pgtypes.TIMESTAMPTZ):
            return datetime.fromisoformat(value)
    except (ValueError, InvalidOperation):
        return value  # let DuckDB report the bad value in its own words
    return value

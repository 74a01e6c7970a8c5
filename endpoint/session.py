"""One client connection: its settings, its published version, and how each statement is answered.

pg_mimic speaks the protocol (startup, SCRAM, simple and extended query, cancel) and calls
``prepare()`` for every statement. Here each one is either a transaction command (pg_mimic's own
middleware), a client setting (client_settings), or a query: guarded, rewritten when it reads the
catalog, and run on this session's DuckDB cursor of the version it is pinned to.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from pg_mimic import BaseSession, PgError, Portal, ResultColumn, Statement, StaticStatement

from endpoint import guard, rewrite
from endpoint.catalog import WAREHOUSE
from endpoint.client_settings import (
    ClientSettings,
    Command,
    NoOpCommand,
    ResetCommand,
    SetCommand,
    ShowCommand,
    check_settable,
    parse_command,
)
from endpoint.execution import QueryResult, typed_param
from endpoint.pgtypes import TEXT

if TYPE_CHECKING:
    import duckdb
    from pg_mimic.connection import Connection

    from endpoint.server import Endpoint
    from endpoint.versions import PublishedVersion

log = logging.getLogger("endpoint")

_STRING_LITERAL = re.compile(r"'(?:[^']|'')*'")
_BEGIN = re.compile(r"^\s*(?:BEGIN|START\s+TRANSACTION)\b", re.IGNORECASE)
_END = re.compile(r"^\s*(COMMIT|END|ROLLBACK)\b", re.IGNORECASE)
_ROLLBACK_TO = re.compile(r"^\s*ROLLBACK\s+(?:WORK\s+|TRANSACTION\s+)?TO\b", re.IGNORECASE)
_REFUSAL_STATES = {guard.READ_ONLY_SQL_TRANSACTION, guard.INSUFFICIENT_PRIVILEGE}


def loggable(sql: str, limit: int = 200) -> str:
    """The statement for a log line: string literals masked (they may hold secrets), one line."""
    text = " ".join(_STRING_LITERAL.sub("'…'", sql).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class WarehouseSession(BaseSession):
    def __init__(self, endpoint: Endpoint):
        self.endpoint = endpoint
        self.connection: Connection | None = None
        self.settings: ClientSettings | None = None
        self.version: PublishedVersion | None = None
        self.cursor: duckdb.DuckDBPyConnection | None = None
        self.busy = False
        self.statements = 0
        self.peer = "?"

    # --- lifecycle -----------------------------------------------------------------------

    async def init(self, connection: Connection) -> None:
        self.connection = connection
        peer = connection.stream.writer.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)
        user, database = connection.username, connection.database
        self.settings = ClientSettings(
            user,
            self.endpoint.settings.statement_timeout,
            self.endpoint.manager.current.catalog.user_schemas,
        )
        self.settings.apply_startup(connection.startup_params)
        self.endpoint.sessions.add(self)
        log.info(
            "connect pid=%d user=%s database=%s application=%r from=%s build=%s",
            connection.pid,
            user,
            database,
            self.settings.values.get("application_name", ""),
            self.peer,
            self.endpoint.manager.current.build_id,
        )

    async def close(self) -> None:
        if self in self.endpoint.sessions:
            self.endpoint.sessions.discard(self)
            log.info(
                "disconnect pid=%d from=%s statements=%d",
                self.connection.pid,
                self.peer,
                self.statements,
            )
        self._leave_version()

    # --- versions ------------------------------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        return self.connection is not None and self.connection.tx_status != b"I"

    def cursor_for_statement(self) -> duckdb.DuckDBPyConnection:
        """This session's cursor, moved to the newest version at a boundary outside a transaction."""
        latest = self.endpoint.manager.current
        if self.version is None or (self.version is not latest and not self.in_transaction):
            self._leave_version()
            self.version = self.endpoint.manager.acquire()
            self.cursor = self.version.cursor()
            self._apply_search_path()
        return self.cursor

    def statement_done(self) -> None:
        """After a statement: let go of a superseded version unless a transaction pins it."""
        if self.version is not None and self.version.retired and not self.in_transaction:
            self._leave_version()

    def on_new_version(self) -> None:
        """Called by the endpoint when a new copy is published: idle sessions let go at once."""
        if not self.busy:
            self.statement_done()

    def _leave_version(self) -> None:
        if self.cursor is not None:
            self.cursor.close()
            self.cursor = None
        if self.version is not None:
            self.endpoint.manager.release(self.version)
            self.version = None

    def _apply_search_path(self) -> None:
        if self.cursor is None:
            return
        schemas = self.settings.search_path or ["main"]
        path = ",".join(f"{WAREHOUSE}.{schema}" for schema in schemas)
        self.cursor.execute(f"SET search_path = '{path}'")

    # --- statements ----------------------------------------------------------------------

    async def prepare(self, sql: str, param_oids: list[int | None]) -> Statement:
        if _ROLLBACK_TO.match(sql):
            # Back to a savepoint: the transaction goes on (and leaves a failed state).
            return StaticStatement("ROLLBACK", None, [], self._back_to_savepoint)
        if _BEGIN.match(sql):
            return StaticStatement("BEGIN", None, [], self._begin)
        if _END.match(sql):
            return StaticStatement(_END.match(sql).group(1).upper(), None, [], self._end)
        text = guard.strip_statement(sql)
        if not text:
            return StaticStatement(sql, None, [])
        command = parse_command(text)
        if command is not None:
            return self._command(command, text)
        try:
            guard.check_keyword(text)
            cursor = self.cursor_for_statement()
            duck_sql = rewrite.rewrite(text, self._rewrite_context())
            guard.check_statement(cursor, duck_sql)
        except PgError as error:
            self.log_refusal(error, text)
            raise
        return DuckStatement(self, duck_sql, param_oids, cursor)

    def _begin(self) -> None:
        """A transaction starts on the newest build and stays on it until it ends."""
        if self.version is not None and self.version is not self.endpoint.manager.current:
            self._leave_version()
        self.connection.tx_status = b"T"

    def _end(self) -> None:
        self.connection.tx_status = b"I"
        self.statement_done()

    def _back_to_savepoint(self) -> None:
        if self.connection.tx_status == b"E":
            self.connection.tx_status = b"T"

    def log_refusal(self, error: PgError, sql: str) -> None:
        if error.sqlstate in _REFUSAL_STATES:
            log.warning(
                "refused pid=%d from=%s sqlstate=%s reason=%r statement=%r",
                self.connection.pid,
                self.peer,
                error.sqlstate,
                error.message,
                loggable(sql),
            )

    def _rewrite_context(self) -> rewrite.SessionContext:
        return rewrite.SessionContext(
            user=self.settings.user,
            pid=self.connection.pid,
            search_path=self.settings.search_path,
            settings=self.settings.values,
            catalog=self.version.catalog,
            server_version=self.endpoint.version_string,
            started_at=self.endpoint.started_at,
            port=self.endpoint.port,
            set_config=self._set,
        )

    def _command(self, command: Command, text: str) -> Statement:
        if isinstance(command, ShowCommand):
            rows = self.settings.show(command.name)
            if command.name == "all":
                columns = [ResultColumn(n, TEXT) for n in ("name", "setting", "description")]
                return StaticStatement("SHOW", columns, rows)
            return StaticStatement("SHOW", [ResultColumn(command.name, TEXT)], [(rows[0][1],)])
        if isinstance(command, SetCommand):
            self._check_settable(command.name, text)
            return StaticStatement("SET", None, [], lambda: self._set(command.name, command.value))
        if isinstance(command, ResetCommand):
            if command.name != "all":
                self._check_settable(command.name, text)
            return StaticStatement("RESET", None, [], lambda: self._reset(command.name))
        assert isinstance(command, NoOpCommand)
        return StaticStatement(command.tag, None, [])

    def _check_settable(self, name: str, text: str) -> None:
        try:
            check_settable(name)
        except PgError as error:
            self.log_refusal(error, text)
            raise

    def _set(self, name: str, value: str | None) -> None:
        self.settings.set(name, value)
        if name == "search_path":
            self._apply_search_path()

    def _reset(self, name: str) -> None:
        self.settings.reset(name)
        if name in ("search_path", "all"):
            self._apply_search_path()

    async def run(
        self, cursor: duckdb.DuckDBPyConnection, sql: str, params: list[Any]
    ) -> QueryResult:
        self.busy = True
        self.statements += 1
        try:
            return await self.endpoint.runner.run(
                cursor, sql, params, self.settings.statement_timeout
            )
        except PgError as error:
            self.log_refusal(error, sql)
            if error.sqlstate == "57014":
                log.warning(
                    "canceled pid=%d from=%s: %s statement=%r",
                    self.connection.pid,
                    self.peer,
                    error.message,
                    loggable(sql),
                )
            raise
        finally:
            self.busy = False

    async def describe_only(
        self, cursor: duckdb.DuckDBPyConnection, sql: str, n_params: int
    ) -> list[ResultColumn]:
        self.busy = True  # the cursor is in use: a new publication must not close it now
        try:
            return await self.endpoint.runner.describe(
                cursor, sql, n_params, self.settings.statement_timeout
            )
        finally:
            self.busy = False


class DuckStatement(Statement):
    """A guarded query. Its result is computed once per Bind, at Describe or Execute, whichever
    comes first, so the columns a client is told about are exactly those of the rows it gets."""

    def __init__(
        self,
        session: WarehouseSession,
        duck_sql: str,
        param_oids: list[int | None],
        cursor: duckdb.DuckDBPyConnection,
    ):
        self.session = session
        self.duck_sql = duck_sql
        self.sql = "SELECT"  # the command tag pg_mimic derives: every query here is a SELECT
        self.param_oids = param_oids
        self.n_params = _count_parameters(cursor, duck_sql)
        self._columns: list[ResultColumn] | None = None
        self._latest: DuckPortal | None = None
        self._prefetched: DuckPortal | None = None

    async def describe(self) -> list[ResultColumn] | None:
        portal = self._latest
        if portal is not None and not portal.started:
            return (await portal.result()).columns
        if self._columns is None:
            if self.n_params == 0:
                # Simple query protocol (Describe before Bind): run it now, hand it to the Bind.
                self._prefetched = DuckPortal(self, [])
                self._columns = (await self._prefetched.result()).columns
            else:
                cursor = self.session.cursor_for_statement()
                self._columns = await self.session.describe_only(
                    cursor, self.duck_sql, self.n_params
                )
        return self._columns

    def bind(self, params: list[Any]) -> Portal:
        if self._prefetched is not None and not params:
            portal, self._prefetched = self._prefetched, None
        else:
            oids = self.param_oids
            typed = [
                typed_param(oids[i] if i < len(oids) else None, v) for i, v in enumerate(params)
            ]
            portal = DuckPortal(self, typed)
        self._latest = portal
        return portal


class DuckPortal(Portal):
    def __init__(self, statement: DuckStatement, params: list[Any]):
        self.statement = statement
        self.params = params
        self._result: QueryResult | None = None
        self._offset = 0
        self.started = False

    async def result(self) -> QueryResult:
        if self._result is None:
            session = self.statement.session
            cursor = session.cursor_for_statement()
            self._result = await session.run(cursor, self.statement.duck_sql, self.params)
        return self._result

    async def execute(self, max_rows: int) -> tuple[list[tuple], bool]:
        self.started = True
        try:
            rows = (await self.result()).rows
        finally:
            if self._result is None:
                self.statement.session.statement_done()
        end = len(rows) if max_rows <= 0 else min(len(rows), self._offset + max_rows)
        batch = rows[self._offset : end]
        self._offset = end
        suspended = end < len(rows)
        if not suspended:
            self.statement.session.statement_done()
        return batch, suspended


def _count_parameters(cursor: duckdb.DuckDBPyConnection, sql: str) -> int:
    statements = cursor.extract_statements(sql)
    return len(statements[0].named_parameters) if statements else 0

"""The endpoint: pg_mimic's server with SCRAM-SHA-256, the version watcher and the query runner."""

from __future__ import annotations

import asyncio
import logging
import secrets
from datetime import UTC, datetime

import duckdb
from pg_mimic import IdentityProvider, PgServer, ScramSha256AuthPlugin
from pg_mimic.messages import make_error_response
from pg_mimic.stream import ConnectionClosed, PgStream

from endpoint.catalog import WAREHOUSE
from endpoint.client_settings import SERVER_VERSION
from endpoint.execution import QueryRunner
from endpoint.session import WarehouseSession
from endpoint.settings import EndpointSettings
from endpoint.versions import VersionManager

log = logging.getLogger("endpoint")


class OneUser(IdentityProvider):
    """The one configured user. Any other name gets a random password nobody knows, so the SCRAM
    exchange runs to its end and fails (an empty password must never open the door)."""

    def __init__(self, user: str, password: str):
        self.user = user
        self.password = password

    async def get_password(self, username: str) -> str | None:
        return self.password if username == self.user else secrets.token_urlsafe(32)


class GuardedScram(ScramSha256AuthPlugin):
    """SCRAM-SHA-256 behind two checks Postgres makes at login (the database exists, there is
    room for one more client), logging every refused login: user and address, never a password.
    """

    def __init__(self, endpoint: Endpoint):
        self.endpoint = endpoint

    async def authenticate(self, stream: PgStream, username: str, identity_provider) -> bool:
        peer = stream.writer.get_extra_info("peername")
        database = self.endpoint.database_of(stream)
        if database != WAREHOUSE:
            await _fatal(stream, peer, "3D000", f'database "{database}" does not exist')
        if len(self.endpoint.sessions) >= self.endpoint.settings.max_connections:
            await _fatal(stream, peer, "53300", "sorry, too many clients already")
        accepted = await super().authenticate(stream, username, identity_provider)
        if not accepted:
            log.warning("refused login user=%s from=%s: wrong password (28P01)", username, peer)
        return accepted


async def _fatal(stream: PgStream, peer: object, sqlstate: str, message: str) -> None:
    """End the login with a FATAL error, before authentication, as Postgres does."""
    log.warning("refused connection from=%s: %s (%s)", peer, message, sqlstate)
    stream.write(make_error_response({"S": "FATAL", "V": "FATAL", "C": sqlstate, "M": message}))
    await stream.drain()
    raise ConnectionClosed


class Endpoint:
    def __init__(self, settings: EndpointSettings, password: str):
        self.settings = settings
        self.manager = VersionManager(settings)
        self.runner = QueryRunner(settings.max_connections)
        self.sessions: set[WarehouseSession] = set()
        self.started_at = datetime.now(UTC).isoformat(sep=" ")
        self.version_string = (
            f"PostgreSQL {SERVER_VERSION} (read-only warehouse endpoint on DuckDB "
            f"{duckdb.__version__}), 64-bit"
        )
        self.port = settings.port
        self.pg = PgServer(
            session_factory=lambda: WarehouseSession(self),
            auth_plugin_factory=lambda username: GuardedScram(self),
            identity_provider=OneUser(settings.user, password),
            server_version=SERVER_VERSION,
        )
        # pg_mimic logs a traceback for every failed SCRAM exchange; GuardedScram says it in a line.
        logging.getLogger("pg_mimic.auth").setLevel(logging.CRITICAL)
        self._watcher: asyncio.Task | None = None

    def database_of(self, stream: PgStream) -> str:
        """The database a connecting client asked for (pg_mimic keeps it on its Connection)."""
        for connection in self.pg._connections.values():
            if connection.stream is stream:
                return connection.database
        return ""

    async def start(self) -> None:
        """Open the published copy (raises ServingDbMissing) and start listening."""
        await asyncio.to_thread(self.manager.open_first)
        server = await self.pg.start_server(host=self.settings.host, port=self.settings.port)
        self.port = server.sockets[0].getsockname()[1]
        self._watcher = asyncio.create_task(self._watch())

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.settings.poll_seconds)
            try:
                if await self.manager.refresh():
                    for session in list(self.sessions):
                        session.on_new_version()
            except Exception:  # the watcher must outlive any one bad publication
                log.exception("checking %s for a new publication failed", self.manager.path)

    async def serve_forever(self) -> None:
        await self.pg.serve_forever()

    def close(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
        for session in list(self.sessions):  # running queries stop now, not at their timeout
            if session.cursor is not None:
                session.cursor.interrupt()
        self.pg.close()
        self.runner.shutdown()
        self.manager.close_all()

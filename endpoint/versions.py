"""Published versions of the warehouse: each one opened read-only in its own locked-down DuckDB.

The publish step replaces SERVING_DB with ``os.replace``. The endpoint notices the new file (its
inode, size or mtime changed), opens it beside the old one, and from then on hands the new version
to every session at its next statement boundary outside a transaction. The old version stays open,
on its old inode, until the last session using it moves on; then it is closed.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from endpoint import catalog
from endpoint.settings import EndpointSettings

log = logging.getLogger(__name__)


class ServingDbMissing(RuntimeError):
    """SERVING_DB does not exist: nothing has been published yet."""


@dataclass(frozen=True)
class FileIdentity:
    device: int
    inode: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> FileIdentity:
        info = os.stat(path)
        return cls(info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


class PublishedVersion:
    """One published copy, open in its own DuckDB instance, shared by the sessions using it."""

    def __init__(
        self,
        identity: FileIdentity,
        connection: duckdb.DuckDBPyConnection,
        build_id: str,
        published_at: str,
        catalog_info: catalog.CatalogInfo,
    ):
        self.identity = identity
        self.connection = connection
        self.build_id = build_id
        self.published_at = published_at
        self.catalog = catalog_info
        self.sessions = 0
        self.retired = False
        self.closed = False

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A new DuckDB connection to this version for one session, on the warehouse catalog."""
        cursor = self.connection.cursor()
        cursor.execute(f"USE {catalog.WAREHOUSE}")
        return cursor

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.connection.close()


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def open_version(path: Path, settings: EndpointSettings) -> PublishedVersion:
    """Open ``path`` read-only in a fresh DuckDB instance and lock it down.

    Raises RuntimeError when the file changed while it was being opened (a publish in between):
    the caller simply tries again at its next check.
    """
    before = FileIdentity.of(path)
    con = duckdb.connect(
        ":memory:",
        config={
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "allow_community_extensions": False,
            "memory_limit": settings.memory_limit,
            "threads": settings.threads,
            # No spilling to disk: the memory limit is a hard bound and the endpoint writes nothing.
            "temp_directory": "",
        },
    )
    try:
        con.execute(f"ATTACH {_sql_string(str(path))} AS {catalog.WAREHOUSE} (READ_ONLY)")
        if FileIdentity.of(path) != before:
            raise RuntimeError(f"{path} was replaced while it was being opened")
        build_id, published_at = _build_info(con)
        catalog_info = catalog.install(
            con,
            settings.user,
            f"Event-study warehouse, published build {build_id} ({published_at})",
            before.size,
        )
        con.execute("SET TimeZone = 'UTC'")
        con.execute(f"USE {catalog.WAREHOUSE}")
        # DuckDB's own guards, last: no file or network access from SQL, no setting changes.
        con.execute("SET enable_external_access = false")
        con.execute("SET allow_persistent_secrets = false")
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return PublishedVersion(before, con, build_id, published_at, catalog_info)


def _build_info(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    """(build_id, published_at) from meta.build_info; 'unknown' for a copy without it."""
    has_meta = con.execute(
        "select count(*) from duckdb_tables() where database_name = ? "
        "and schema_name = 'meta' and table_name = 'build_info'",
        [catalog.WAREHOUSE],
    ).fetchone()[0]
    if not has_meta:
        return "unknown", "unknown"
    row = con.execute(
        f"select build_id, published_at::varchar from {catalog.WAREHOUSE}.meta.build_info limit 1"
    ).fetchone()
    return (row[0], row[1]) if row else ("unknown", "unknown")


class VersionManager:
    """The newest published version, the older ones still in use, and the watcher between them.

    Every method runs on the event loop thread, so the reference counts need no lock.
    """

    def __init__(self, settings: EndpointSettings):
        self.settings = settings
        self.path = settings.serving_db
        self.current: PublishedVersion | None = None
        self._in_use: list[PublishedVersion] = []
        self._failed: FileIdentity | None = None

    def open_first(self) -> PublishedVersion:
        if not self.path.exists():
            raise ServingDbMissing(
                f"no published warehouse at {self.path}: run `make run` first "
                "(it publishes the read copy the endpoint serves)"
            )
        self.current = open_version(self.path, self.settings)
        return self.current

    def acquire(self) -> PublishedVersion:
        assert self.current is not None, "open_first() has not run"
        self.current.sessions += 1
        return self.current

    def release(self, version: PublishedVersion) -> None:
        version.sessions -= 1
        self._close_if_unused(version)

    def _close_if_unused(self, version: PublishedVersion) -> None:
        if version.retired and version.sessions <= 0 and not version.closed:
            version.close()
            log.info("closed build %s: its last session moved on", version.build_id)

    async def refresh(self) -> bool:
        """Open the published file if it changed; True when a new version was swapped in."""
        try:
            identity = FileIdentity.of(self.path)
        except FileNotFoundError:
            return False  # between an unlink and a replace, or removed: keep serving
        if self.current is not None and identity == self.current.identity:
            return False
        if identity == self._failed:
            return False
        try:
            version = await asyncio.to_thread(open_version, self.path, self.settings)
        except Exception as error:
            self._failed = identity
            log.error("could not open the newly published %s: %s", self.path, error)
            return False
        old, self.current = self.current, version
        if old is not None:
            old.retired = True
            self._close_if_unused(old)
        log.info(
            "serving build %s (published %s); previous build %s closes when its %d session(s) "
            "move on",
            version.build_id,
            version.published_at,
            old.build_id if old else "-",
            old.sessions if old else 0,
        )
        return True

    def close_all(self) -> None:
        if self.current is not None:
            self.current.close()

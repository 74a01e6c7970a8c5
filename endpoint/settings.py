"""The endpoint's settings, all from environment variables (see endpoint/README.md)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ingest.config import REPO_ROOT

DATABASE_NAME = "warehouse"
PASSWORD_FILE_NAME = "endpoint_password"


class SettingsError(ValueError):
    """A setting has a value the endpoint cannot use; the message names the variable."""


@dataclass(frozen=True)
class EndpointSettings:
    serving_db: Path
    host: str
    port: int
    user: str
    password: str | None  # None: generate one (or reuse the generated one in password_file)
    password_file: Path
    statement_timeout: float  # seconds; the upper bound a client may lower but never raise
    memory_limit: str  # DuckDB memory_limit of each published version
    threads: int  # DuckDB threads of each published version
    max_connections: int
    poll_seconds: float  # how often SERVING_DB is checked for a newly published copy


def _number(env: Mapping[str, str], name: str, default: str, kind: type, minimum: float):
    raw = env.get(name, "").strip() or default
    try:
        value = kind(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, not {raw!r}")
    return value


_MEMORY = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)$", re.IGNORECASE)


def load_endpoint_settings(env: Mapping[str, str] | None = None) -> EndpointSettings:
    env = os.environ if env is None else env
    serving_db = _serving_db(env)
    memory_limit = env.get("SERVE_MEMORY_LIMIT", "").strip() or "2GB"
    if not _MEMORY.match(memory_limit):
        raise SettingsError(f"SERVE_MEMORY_LIMIT must look like 2GB or 512MB, not {memory_limit!r}")
    user = env.get("SERVE_USER", "").strip() or "warehouse"
    return EndpointSettings(
        serving_db=serving_db,
        host=env.get("SERVE_HOST", "").strip() or "127.0.0.1",
        port=_number(env, "SERVE_PORT", "5433", int, 0),
        user=user,
        password=env.get("SERVE_PASSWORD") or None,
        password_file=_path(env.get("SERVE_PASSWORD_FILE"))
        or serving_db.parent / PASSWORD_FILE_NAME,
        statement_timeout=_number(env, "SERVE_STATEMENT_TIMEOUT", "30", float, 0.1),
        memory_limit=memory_limit,
        threads=_number(env, "SERVE_THREADS", str(min(os.cpu_count() or 2, 4)), int, 1),
        max_connections=_number(env, "SERVE_MAX_CONNECTIONS", "64", int, 1),
        poll_seconds=_number(env, "SERVE_POLL_SECONDS", "1", float, 0.05),
    )


def _path(value: str | None) -> Path | None:
    return Path(value).expanduser().resolve() if value else None


def _serving_db(env: Mapping[str, str]) -> Path:
    """SERVING_DB resolved as ingest.config resolves it: relative paths from the repository root."""
    value = env.get("SERVING_DB")
    if not value:
        return REPO_ROOT / "serving" / "warehouse.duckdb"
    path = Path(value).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path

"""The endpoint's settings, all from environment variables (see endpoint/README.md).

The endpoint runs in the project's environment (`make serve`: ``uv run python -m endpoint``), so
its variables are read with the typed readers of ``ingest.config`` (stdlib only), where they are
declared; a bad value raises its :class:`SettingsError`, naming the variable.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ingest.config import REPO_ROOT, SettingsError, env_value, number_setting, path_setting

DATABASE_NAME = "warehouse"
PASSWORD_FILE_NAME = "endpoint_password"


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


_MEMORY = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)$", re.IGNORECASE)


def load_endpoint_settings(env: Mapping[str, str] | None = None) -> EndpointSettings:
    env = os.environ if env is None else env
    serving_db = path_setting("SERVING_DB", REPO_ROOT / "serving" / "warehouse.duckdb", env)
    memory_limit = env_value("SERVE_MEMORY_LIMIT", env) or "2GB"
    if not _MEMORY.match(memory_limit):
        raise SettingsError(f"SERVE_MEMORY_LIMIT must look like 2GB or 512MB, not {memory_limit!r}")
    password_file = env_value("SERVE_PASSWORD_FILE", env)
    return EndpointSettings(
        serving_db=serving_db,
        host=env_value("SERVE_HOST", env) or "127.0.0.1",
        port=number_setting("SERVE_PORT", 5433, env, minimum=0, kind=int),
        user=env_value("SERVE_USER", env) or "warehouse",
        password=env.get("SERVE_PASSWORD") or None,
        # From the working directory (unlike SERVING_DB), else beside the served copy.
        password_file=Path(password_file).expanduser().resolve()
        if password_file
        else serving_db.parent / PASSWORD_FILE_NAME,
        statement_timeout=number_setting("SERVE_STATEMENT_TIMEOUT", 30.0, env, minimum=0.1),
        memory_limit=memory_limit,
        threads=number_setting(
            "SERVE_THREADS", min(os.cpu_count() or 2, 4), env, minimum=1, kind=int
        ),
        max_connections=number_setting("SERVE_MAX_CONNECTIONS", 64, env, minimum=1, kind=int),
        poll_seconds=number_setting("SERVE_POLL_SECONDS", 1.0, env, minimum=0.05),
    )

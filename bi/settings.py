"""Settings of the BI tool, all from environment variables (stdlib only).

The endpoint's variables (SERVE_*, SERVING_DB) are read the way endpoint/settings.py reads them,
so Superset finds the endpoint and its password wherever `python -m endpoint` put them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

BI_DIR = Path(__file__).resolve().parent
REPO_ROOT = BI_DIR.parent
BI_HOST = "127.0.0.1"  # Superset never listens beyond this machine
PASSWORD_MASK = "XXXXXXXXXX"  # Superset's placeholder for "the password is given apart"
ENDPOINT_PASSWORD_FILE_NAME = "endpoint_password"  # endpoint/settings.py PASSWORD_FILE_NAME


class SettingsError(ValueError):
    """A setting has a value the BI tool cannot use; the message names the variable."""


@dataclass(frozen=True)
class Endpoint:
    """Where the read-only Postgres-wire endpoint listens, and how to log in to it."""

    host: str
    port: int
    user: str
    database: str
    password: str | None  # SERVE_PASSWORD; else read from password_file once the endpoint runs
    password_file: Path

    def uri(self, password: str = PASSWORD_MASK) -> str:
        """The SQLAlchemy URI of Superset's stock PostgreSQL connector (psycopg2)."""
        auth = f"{quote(self.user, safe='')}:{quote(password, safe='')}"
        return f"postgresql+psycopg2://{auth}@{self.host}:{self.port}/{self.database}"

    def display(self) -> str:
        """The URI without any password, for messages."""
        return f"postgresql+psycopg2://{self.user}@{self.host}:{self.port}/{self.database}"

    def resolve_password(self) -> str:
        if self.password:
            return self.password
        try:
            value = self.password_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            value = ""
        if not value:
            raise SettingsError(
                f"no endpoint password: set SERVE_PASSWORD, or start the endpoint "
                f"(python -m endpoint) so that it writes {self.password_file}"
            )
        return value


@dataclass(frozen=True)
class BiSettings:
    superset_home: Path
    port: int
    admin_user: str
    admin_password: str | None  # None: keep the existing one, or generate and print it once
    endpoint: Endpoint

    @property
    def url(self) -> str:
        return f"http://{BI_HOST}:{self.port}"

    @property
    def config_file(self) -> Path:
        return BI_DIR / "superset_config.py"

    def superset_env(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """The environment every Superset process of this tool runs with."""
        env = dict(os.environ if base is None else base)
        env["SUPERSET_HOME"] = str(self.superset_home)
        env["SUPERSET_CONFIG_PATH"] = str(self.config_file)
        env["FLASK_APP"] = "superset.app:create_app()"
        return env


def _from_repo(value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip() or str(default)
    if raw == "0":
        # the endpoint takes 0 (any free port), but Superset must be told the port to connect to
        raise SettingsError(
            f"{name}=0 (any free port) cannot be used with make bi: Superset connects to a "
            "known port; set a port number (1-65535)"
        )
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise SettingsError(f"{name} must be a TCP port number, not {raw!r}")
    return int(raw)


def load_endpoint(env: Mapping[str, str] | None = None) -> Endpoint:
    env = os.environ if env is None else env
    serving_db = _from_repo(env.get("SERVING_DB") or "serving/warehouse.duckdb")
    password_file = env.get("SERVE_PASSWORD_FILE")
    return Endpoint(
        host=env.get("SERVE_HOST", "").strip() or "127.0.0.1",
        port=_port(env, "SERVE_PORT", 5433),
        user=env.get("SERVE_USER", "").strip() or "warehouse",
        database="warehouse",
        password=env.get("SERVE_PASSWORD") or None,
        # as endpoint/settings.py: SERVE_PASSWORD_FILE from the working directory, else beside
        # the served copy
        password_file=Path(password_file).expanduser().resolve()
        if password_file
        else serving_db.parent / ENDPOINT_PASSWORD_FILE_NAME,
    )


def load_settings(env: Mapping[str, str] | None = None) -> BiSettings:
    env = os.environ if env is None else env
    return BiSettings(
        superset_home=_from_repo(env.get("SUPERSET_HOME") or "bi/.superset"),
        port=_port(env, "BI_PORT", 8088),
        admin_user=env.get("BI_ADMIN_USER", "").strip() or "admin",
        admin_password=env.get("BI_ADMIN_PASSWORD") or None,
        endpoint=load_endpoint(env),
    )

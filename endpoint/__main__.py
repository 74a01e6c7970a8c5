"""`python -m endpoint` (make serve): serve the published warehouse over the Postgres protocol."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

import duckdb

from endpoint.password import Password, resolve_password
from endpoint.server import Endpoint
from endpoint.settings import DATABASE_NAME, EndpointSettings, SettingsError, load_endpoint_settings
from endpoint.versions import ServingDbMissing

EXIT_USAGE = 2


def _password_line(password: Password) -> str:
    if password.origin == "SERVE_PASSWORD":
        return "from SERVE_PASSWORD"
    if password.origin == "generated":
        return f"generated now: {password.value}  (kept in {password.file}, mode 0600)"
    return f"in {password.file} (mode 0600; delete it for a new one)"


def _banner(endpoint: Endpoint, settings: EndpointSettings, password: Password) -> str:
    version = endpoint.manager.current
    host = settings.host
    return "\n".join(
        [
            "warehouse SQL endpoint: PostgreSQL wire protocol, read-only",
            f"  address   {host}:{endpoint.port}",
            f"  database  {DATABASE_NAME}",
            f"  user      {settings.user}",
            f"  password  {_password_line(password)}",
            f"  serving   build {version.build_id} (published {version.published_at})",
            f"            from {settings.serving_db}; a newly published copy is picked up live",
            f"  limits    statement timeout {settings.statement_timeout:g}s, memory "
            f"{settings.memory_limit} per published version, {settings.max_connections} clients",
            f'  connect   psql "host={host} port={endpoint.port} dbname={DATABASE_NAME} '
            f'user={settings.user}"',
            "ready",
        ]
    )


async def _serve(settings: EndpointSettings, password: Password) -> int:
    endpoint = Endpoint(settings, password.value)
    try:
        await endpoint.start()
    except ServingDbMissing as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (duckdb.Error, RuntimeError) as error:
        print(
            f"error: cannot open the published warehouse {settings.serving_db}: {error}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except OSError as error:
        print(f"error: cannot listen on {settings.host}:{settings.port}: {error}", file=sys.stderr)
        return EXIT_USAGE
    print(_banner(endpoint, settings, password), flush=True)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    serving = asyncio.create_task(endpoint.serve_forever())
    await stop.wait()
    logging.getLogger("endpoint").info("stopping")
    endpoint.close()
    serving.cancel()
    return 0


def main() -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        settings = load_endpoint_settings()
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    if not settings.serving_db.exists():
        print(
            f"error: no published warehouse at {settings.serving_db}: run `make run` first "
            "(it publishes the read copy the endpoint serves)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    password = resolve_password(settings)
    return asyncio.run(_serve(settings, password))


if __name__ == "__main__":
    sys.exit(main())

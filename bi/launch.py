"""`make bi`: the endpoint (when not running yet), the bootstrap, then Superset on 127.0.0.1.

`python -m bi [--endpoint-python PATH]` in bi/.venv from the repository root. With
--endpoint-python (the warehouse venv's python) and nothing listening on SERVE_HOST:SERVE_PORT,
it starts `PATH -m endpoint` over the served copy (SERVING_DB) and stops it again on exit.
Superset runs under gunicorn, bound to 127.0.0.1:BI_PORT only; the URL and the login are printed
once it answers /health. Ctrl-C stops everything it started.
"""

from __future__ import annotations

import argparse
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from bi.bootstrap import bootstrap, login_summary
from bi.settings import BI_HOST, REPO_ROOT, BiSettings, SettingsError, load_settings

ENDPOINT_START_TIMEOUT_S = 60
SUPERSET_START_TIMEOUT_S = 180
STOP_TIMEOUT_S = 20


def port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_until(
    check: Callable[[], bool], timeout_s: float, what: str, process: subprocess.Popen | None = None
) -> None:
    """Poll ``check`` every 0.5 s until it holds; fail on timeout or when ``process`` exits."""
    deadline = time.monotonic() + timeout_s
    while not check():
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what}: the process exited with code {process.returncode}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not ready after {timeout_s:.0f} s")
        time.sleep(0.5)


def superset_healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=5) as answer:
            return answer.status == 200
    except (urllib.error.URLError, OSError):
        return False


def start_endpoint(settings: BiSettings, python: Path) -> subprocess.Popen | None:
    """Start `python -m endpoint` unless something already listens on its port."""
    endpoint = settings.endpoint
    if port_open(endpoint.host, endpoint.port):
        print(f"endpoint: already listening on {endpoint.host}:{endpoint.port}")
        return None
    process = subprocess.Popen([str(python), "-m", "endpoint"], cwd=REPO_ROOT)
    wait_until(
        lambda: port_open(endpoint.host, endpoint.port),
        ENDPOINT_START_TIMEOUT_S,
        f"endpoint on {endpoint.host}:{endpoint.port}",
        process,
    )
    return process


def gunicorn_command(settings: BiSettings) -> list[str]:
    """One worker with threads: a dashboard's charts load in parallel on a 2-core machine."""
    return [
        str(Path(sys.executable).parent / "gunicorn"),
        "--bind",
        f"{BI_HOST}:{settings.port}",
        "--workers",
        "1",
        "--worker-class",
        "gthread",
        "--threads",
        "8",
        "--timeout",
        "120",
        "superset.app:create_app()",
    ]


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT_S)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bi", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--endpoint-python",
        type=Path,
        help="python of the warehouse venv: start the endpoint with it when it is not running",
    )
    args = parser.parse_args(argv)
    settings = load_settings()
    if port_open(BI_HOST, settings.port):
        print(f"port {BI_HOST}:{settings.port} is taken: set BI_PORT", file=sys.stderr)
        return 2
    # SIGTERM (from make, CI or a test) unwinds like Ctrl-C, so the children are stopped.
    signal.signal(signal.SIGTERM, _interrupt)
    endpoint = superset = None
    try:
        if args.endpoint_python:
            endpoint = start_endpoint(settings, args.endpoint_python)
        generated = bootstrap(settings)
        superset = subprocess.Popen(gunicorn_command(settings), env=settings.superset_env())
        wait_until(
            lambda: superset_healthy(settings.url),
            SUPERSET_START_TIMEOUT_S,
            f"Superset on {settings.url}",
            superset,
        )
        print("\nSuperset is ready\n" + login_summary(settings, generated), flush=True)
        return superset.wait()
    except KeyboardInterrupt:
        return 0
    except (RuntimeError, TimeoutError, SettingsError) as error:
        print(f"make bi: {error}", file=sys.stderr)
        return 1
    finally:
        stop(superset)
        stop(endpoint)

"""Start and stop the processes of the BI test: the endpoint, Superset (`python -m bi`), a probe.

Every process binds 127.0.0.1 on a free port, writes its output to a log file (quoted when a
wait fails), is waited for with a deadline and is stopped by its own process group id.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

from ingest.config import REPO_ROOT

BI_PYTHON = REPO_ROOT / "bi" / ".venv" / "bin" / "python"
STOP_TIMEOUT_S = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status == 200
    except (urllib.error.URLError, OSError):
        return False


def log_tail(log: Path, chars: int = 4000) -> str:
    return log.read_text(errors="replace")[-chars:] if log.exists() else "(no log)"


@contextmanager
def running(
    command: list[str],
    env: Mapping[str, str],
    log: Path,
    ready: Callable[[], bool],
    timeout_s: float,
) -> Iterator[subprocess.Popen]:
    """Run ``command`` until the block ends; wait (bounded) until ``ready()`` first."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped with its children
        )
    try:
        deadline = time.monotonic() + timeout_s
        while not ready():
            if process.poll() is not None:
                raise RuntimeError(
                    f"{command[1:3]} exited with {process.returncode}:\n{log_tail(log)}"
                )
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{command[1:3]} not ready after {timeout_s} s:\n{log_tail(log)}"
                )
            time.sleep(0.5)
        yield process
    finally:
        _stop_group(process)


def _stop_group(process: subprocess.Popen) -> None:
    """SIGTERM to the process (it stops its own children), SIGKILL to the group if it hangs."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=STOP_TIMEOUT_S)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # leftovers of this group only
    if process.poll() is None:
        process.wait(timeout=STOP_TIMEOUT_S)

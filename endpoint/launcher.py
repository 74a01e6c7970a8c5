"""Run `python -m endpoint` as a child process on a port the OS picks, and wait until it is ready.

Used by the tests, the benchmark and end-to-end checks: the endpoint is always exercised as the
real process `make serve` starts, never imported into the caller.
"""

from __future__ import annotations

import os
import queue
import re
import secrets
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from ingest.config import REPO_ROOT

STARTUP_TIMEOUT_SECONDS = 90


@dataclass
class RunningEndpoint:
    process: subprocess.Popen
    port: int
    password: str
    serving_db: Path
    banner: list[str]
    stderr_path: Path
    user: str = "warehouse"

    def dsn(self, password: str | None = None, dbname: str = "warehouse", user: str | None = None):
        pw = self.password if password is None else password
        return (
            f"host=127.0.0.1 port={self.port} dbname={dbname} user={user or self.user} "
            f"password={pw} connect_timeout=10"
        )

    def url(self, driver: str = "psycopg") -> str:
        return f"postgresql+{driver}://{self.user}:{self.password}@127.0.0.1:{self.port}/warehouse"

    def log(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def wait_for_log(self, text: str, timeout: float = 15) -> str:
        """The log once it holds ``text`` (lines written after a client has moved on)."""
        done = threading.Event()
        for _ in range(int(timeout / 0.05)):
            log = self.log()
            if text in log:
                return log
            done.wait(0.05)
        raise AssertionError(f"{text!r} not logged within {timeout}s:\n{self.log()[-2000:]}")


def _pump(stream, lines: queue.Queue) -> None:
    for line in iter(stream.readline, ""):
        lines.put(line.rstrip("\n"))
    lines.put(None)


def start_endpoint(
    serving_db: Path, log_dir: Path, extra_env: dict[str, str] | None = None
) -> RunningEndpoint:
    """Run the endpoint on 127.0.0.1 with a port the OS picks; wait (bounded) for 'ready'."""
    password = extra_env.get("SERVE_PASSWORD", "") if extra_env else ""
    env = {
        **os.environ,
        "SERVING_DB": str(serving_db),
        "SERVE_HOST": "127.0.0.1",
        "SERVE_PORT": "0",
        "SERVE_PASSWORD": password or secrets.token_urlsafe(16),
        "SERVE_POLL_SECONDS": "0.2",
        "SERVE_THREADS": "2",
        **(extra_env or {}),
    }
    if extra_env and extra_env.get("SERVE_PASSWORD") == "":
        env.pop("SERVE_PASSWORD")
    stderr_path = log_dir / f"endpoint-{secrets.token_hex(4)}.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "endpoint"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=stderr_path.open("w"),
        text=True,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True).start()
    banner: list[str] = []
    while True:
        try:
            line = lines.get(timeout=STARTUP_TIMEOUT_SECONDS)
        except queue.Empty:
            stop_endpoint_process(process)
            raise RuntimeError(f"endpoint not ready in {STARTUP_TIMEOUT_SECONDS}s") from None
        if line is None:
            process.wait(timeout=10)
            raise RuntimeError(
                f"endpoint exited with {process.returncode}: {stderr_path.read_text()}"
            )
        banner.append(line)
        if line == "ready":
            break
    port = int(re.search(r"address\s+\S+:(\d+)", "\n".join(banner)).group(1))
    return RunningEndpoint(
        process, port, env.get("SERVE_PASSWORD", ""), serving_db, banner, stderr_path
    )


def stop_endpoint_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)

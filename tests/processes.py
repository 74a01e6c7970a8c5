"""Child processes of tests: the repository's own modules as make runs them, a new reader."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from ingest.config import REPO_ROOT


def run_module(module: str, env: Mapping[str, str], timeout: float) -> subprocess.CompletedProcess:
    """``python -m <module>`` from the repository root with ``env``; its output as text."""
    return subprocess.run(
        [sys.executable, "-m", module],
        cwd=REPO_ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def start_module(module: str, env: Mapping[str, str], output: IO[str]) -> subprocess.Popen:
    """``python -m <module>`` from the repository root with ``env``, started in a process group
    of its own (``stop_group`` ends it with its children, dbt's process among them): stdout and
    stderr go to ``output`` (a file: a pipe nobody reads would fill and block the child)."""
    return subprocess.Popen(
        [sys.executable, "-m", module],
        cwd=REPO_ROOT,
        env=dict(env),
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def stop_group(process: subprocess.Popen) -> None:
    """Kill a process ``start_module`` started and every process of its group, if running."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def new_reader_build_id(serving_db: Path) -> str:
    """The published build a new process opening ``serving_db`` read-only sees."""
    code = "import sys, duckdb; c = duckdb.connect(sys.argv[1], read_only=True); "
    code += "print(c.execute('select build_id from meta.build_info').fetchone()[0])"
    out = subprocess.run(
        [sys.executable, "-c", code, str(serving_db)], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()

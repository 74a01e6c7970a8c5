"""The repository's own modules run by tests as child processes, as make runs them."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping

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

"""Test helpers around the endpoint process (the launcher itself lives in endpoint/launcher.py)."""

from __future__ import annotations

import os
import subprocess

from endpoint.launcher import RunningEndpoint, start_endpoint, stop_endpoint_process
from tests.processes import run_module

__all__ = ["RunningEndpoint", "run_endpoint_to_exit", "start_endpoint", "stop_endpoint_process"]


def run_endpoint_to_exit(
    env_overrides: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess:
    """Run `python -m endpoint` expecting it to stop by itself (startup errors)."""
    return run_module("endpoint", {**os.environ, "SERVE_PORT": "0", **env_overrides}, timeout)

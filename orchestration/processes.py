"""Whether a process still runs: what a killed process left behind (a Dagster pool slot, `make
study`'s dbt folder) is freed once its process is gone. Without Dagster: `make study` imports it."""

from __future__ import annotations

import os


def pid_running(pid: int) -> bool:
    """True while ``pid`` exists, also when it belongs to another user."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def start_ticks(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (field 22 of /proc/<pid>/stat), or None off Linux: with
    the pid it tells a process from a later one that reuses its pid."""
    try:
        stat = open(f"/proc/{pid}/stat").read()  # noqa: SIM115 - tiny read, closed by GC
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]

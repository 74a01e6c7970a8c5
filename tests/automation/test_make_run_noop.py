"""`make run` (python -m orchestration) with nothing changed says so without starting the job;
any changed input runs the job again."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e_support import clone_build, make_run

pytestmark = pytest.mark.e2e

NOTHING_CHANGED = "nothing changed since build"


def _make_run(folder: Path, landing: Path, **extra: str) -> subprocess.CompletedProcess:
    out = make_run(folder / "warehouse.duckdb", landing, timeout=900, **extra)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return out


def test_a_second_make_run_with_nothing_changed_does_nothing_and_says_so(
    built_warehouse: Path, landing_dir: Path, tmp_path: Path
) -> None:
    folder = clone_build(built_warehouse, tmp_path / "clone")
    landing = tmp_path / "landing"
    shutil.copytree(landing_dir, landing)

    # The session's build was not started by make run: the job runs, finds nothing to rebuild,
    # and records the inputs it found.
    first = _make_run(folder, landing)
    assert NOTHING_CHANGED not in first.stdout
    assert "catalog entries: 56 unchanged" in first.stdout
    assert "nothing changed since the last build: nothing rebuilt" in first.stdout

    second = _make_run(folder, landing)
    assert NOTHING_CHANGED in second.stdout
    assert "catalog entries" not in second.stdout  # the job did not start

    # A newer (here: shorter) IBIT export is a change: the job runs and publishes.
    ibit = landing / "equities" / "adjclose_IBIT.csv"
    ibit.write_text("".join(ibit.read_text().splitlines(keepends=True)[:-10]))
    third = _make_run(folder, landing)
    assert "catalog entries: 55 unchanged, 1 loaded" in third.stdout
    assert "published: build" in third.stdout

    assert NOTHING_CHANGED in _make_run(folder, landing).stdout
    # FULL=1 always runs the job.
    forced = _make_run(folder, landing, FULL="1")
    assert NOTHING_CHANGED not in forced.stdout
    assert "catalog entries: 56 loaded" in forced.stdout
    # The two dbt checks that warn on the shared data say why (their tests' YAML descriptions).
    warned = [line for line in forced.stdout.splitlines() if "check warned" in line]
    assert sorted(line.split(":")[-1] for line in warned) == [
        "int_daily_bars_high_not_below_low",
        "stg_daily_bars_high_not_below_low",
    ]
    assert forced.stdout.count("Expected to warn on the shared data: 6 Yahoo bars") == 2

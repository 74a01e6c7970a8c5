"""Each warehouse keeps its own Dagster run history, so runs against a copy or a benchmark never
mark the default warehouse's assets failed in the UI."""

from __future__ import annotations

import os
import subprocess

from ingest.config import REPO_ROOT


def _dagster_home(*make_args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"DAGSTER_HOME", "WAREHOUSE_DB"}}
    out = subprocess.run(
        ["make", "-s", "-n", "dagster-home", *make_args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    (mkdir,) = [line for line in out.stdout.splitlines() if line.startswith("mkdir")]
    return mkdir.split('"')[1]


def test_the_default_warehouse_uses_the_repository_history() -> None:
    assert _dagster_home() == str(REPO_ROOT / ".dagster_home")
    assert _dagster_home(f"WAREHOUSE_DB={REPO_ROOT}/warehouse.duckdb") == str(
        REPO_ROOT / ".dagster_home"
    )


def test_another_warehouse_keeps_its_history_beside_it(tmp_path) -> None:
    other = tmp_path / "bench" / "warehouse.duckdb"
    assert _dagster_home(f"WAREHOUSE_DB={other}") == f"{other}.dagster_home"
    # An explicit DAGSTER_HOME still wins.
    assert _dagster_home(f"WAREHOUSE_DB={other}", f"DAGSTER_HOME={tmp_path}/h") == f"{tmp_path}/h"

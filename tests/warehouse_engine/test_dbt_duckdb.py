"""dbt on DuckDB keeps its parse across warehouse files of the same name
(warehouse_engine/dbt_duckdb.py, the dbt Dagster runs and make manifest runs)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from warehouse_engine import dbt_duckdb

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_DIR = REPO_ROOT / "dbt_project"
REPARSE = "Unable to do partial parsing because profile has changed"
REUSED = "Partial parsing enabled"


def _parse(db: Path, target: Path, logs: Path) -> tuple[str, dict]:
    """``dbt parse`` through the wrapper for warehouse file ``db``: its log and manifest."""
    env = dict(os.environ, WAREHOUSE_DB=str(db), DBT_PROJECT_DIR=str(DBT_DIR))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    command = [*dbt_duckdb.command(), "parse", "--profiles-dir", "."]
    command += ["--target-path", str(target), "--log-path", str(logs), "--quiet"]
    done = subprocess.run(command, cwd=DBT_DIR, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    return (logs / "dbt.log").read_text(encoding="utf-8"), manifest


def _database_of_fct_car(manifest: dict) -> str:
    return manifest["nodes"]["model.event_study_warehouse.fct_car"]["database"]


def test_a_warehouse_file_of_the_same_name_reuses_the_parse(tmp_path: Path) -> None:
    target = tmp_path / "target"
    _parse(tmp_path / "a" / "warehouse.duckdb", target, tmp_path / "logs_a")
    assert (target / "partial_parse.msgpack").is_file()

    log, manifest = _parse(tmp_path / "b" / "warehouse.duckdb", target, tmp_path / "logs_b")
    assert REUSED in log and REPARSE not in log
    assert _database_of_fct_car(manifest) == "warehouse"


def test_a_warehouse_file_of_another_name_is_parsed_again(tmp_path: Path) -> None:
    target = tmp_path / "target"
    _parse(tmp_path / "a" / "warehouse.duckdb", target, tmp_path / "logs_a")

    # another file name is another database name in every relation: the parse must not be reused
    log, manifest = _parse(tmp_path / "c" / "other.duckdb", target, tmp_path / "logs_c")
    assert REPARSE in log
    assert _database_of_fct_car(manifest) == "other"


def test_version_is_answered_from_the_installed_packages_without_dbt() -> None:
    """dagster-dbt asks `<dbt> --version` before every invocation and reads the first x.y.z; both
    launchers answer from the installed packages (dbt's own answer imports dbt and asks PyPI)."""
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    for launcher in (dbt_duckdb.command(), [sys.executable, "-m", "warehouse_engine.dbt_spark"]):
        done = subprocess.run(
            [*launcher, "--version"], env=env, capture_output=True, text=True, check=True
        )
        found = re.search(r"(\d+\.\d+\.\d+)", done.stdout)  # dagster-dbt's own pattern
        assert found and found.group(1) == metadata.version("dbt-core")
        assert f"  - duckdb: {metadata.version('dbt-duckdb')}" in done.stdout
        assert "latest" not in done.stdout  # no lookup of the newest release on PyPI

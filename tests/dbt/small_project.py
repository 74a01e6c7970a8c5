"""A small dbt project in a temporary folder, built by dbt in its own process: for tests of the
repository's macros, materialisations and generic tests on a few models over a real export."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ingest.config import load_settings

# IBIT's daily closes (the fund's first session is 2024-01-11, the day after the approval)
IBIT_CLOSES = load_settings().landing_dir / "equities" / "adjclose_IBIT.csv"


def write_project(root: Path, name: str, models: dict[str, str], extra_config: str = "") -> Path:
    """dbt_project.yml and profiles.yml of project ``name`` (one DuckDB file, WAREHOUSE_DB, one
    thread) and its models (file name -> text; IBIT_FILE in a model reads IBIT_CLOSES)."""
    (root / "models").mkdir()
    (root / "dbt_project.yml").write_text(
        f'name: {name}\nversion: "1.0"\nprofile: {name}\nflags:\n'
        "  send_anonymous_usage_stats: false\n  version_check: false\n" + extra_config
    )
    (root / "profiles.yml").write_text(
        f"{name}:\n  target: duckdb\n  outputs:\n"
        "    duckdb: {type: duckdb, path: \"{{ env_var('WAREHOUSE_DB') }}\", threads: 1}\n"
    )
    for file_name, text in models.items():
        (root / "models" / file_name).write_text(text.replace("IBIT_FILE", str(IBIT_CLOSES)))
    return root


def run_dbt(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """dbt ``args`` on the project, its warehouse ``warehouse.duckdb`` in the project folder."""
    env = {**os.environ, "WAREHOUSE_DB": str(project / "warehouse.duckdb")}
    return subprocess.run(
        [sys.executable, "-m", "dbt.cli.main", *args, "--project-dir", str(project),
         "--profiles-dir", str(project), "--target-path", str(project / "target"),
         "--log-path", str(project / "dbt-logs")],
        cwd=project, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip

"""The dbt unit tests (``unit_tests:`` in the models' YAML): SQL logic on hand-made rows.

They test code, not data, so `make run` leaves them out of its `dbt build`
(``--exclude-resource-type unit_test``) and the suite runs them here, on a copy of the session's
warehouse (dbt reads the column types of each mocked input from the built relations).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.config import REPO_ROOT

PROJECT_DIR = REPO_ROOT / "dbt_project"
DBT_SECONDS = 900
# Models whose logic must stay covered by at least one unit test.
COVERED_MODELS = {
    # every claim family of marts/findings (fct_findings unions them)
    "findings_btc_etf_approval",
    "findings_cross_section",
    "findings_crypto_day0",
    "findings_day0_abnormal_returns",
    "findings_etf_flows",
    "findings_hack_losses",
    "findings_macro_levels",
    "findings_portfolio_tests",
}


def test_every_claim_family_is_listed() -> None:
    # A new claim family (one findings_*.sql model) must come with unit tests: list it above.
    families = {
        p.stem for p in (PROJECT_DIR / "models" / "marts" / "findings").glob("findings_*.sql")
    }
    assert families, "no claim family models found"
    assert families <= COVERED_MODELS, f"not in COVERED_MODELS: {sorted(families - COVERED_MODELS)}"


@pytest.fixture(scope="module")
def unit_test_results(built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> list:
    work = tmp_path_factory.mktemp("dbt_unit")
    db_path = work / "warehouse.duckdb"
    shutil.copy(built_warehouse, db_path)
    env = {**os.environ, "WAREHOUSE_DB": str(db_path), "DBT_PROJECT_DIR": str(PROJECT_DIR)}
    command = [
        str(Path(sys.executable).parent / "dbt"),
        "test",
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(work / "target"),  # never the shared dbt_project/target
        "--log-path",
        str(work / "dbt_log"),
        "--select",
        "test_type:unit",
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=DBT_SECONDS)
    run_results = work / "target" / "run_results.json"
    if not run_results.exists():
        pytest.fail(f"dbt wrote no run results:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return json.loads(run_results.read_text())["results"]


def test_every_unit_test_passes(unit_test_results: list) -> None:
    assert unit_test_results, "no dbt unit test ran"
    failed = [
        f"{r['unique_id']}: {r['message']}" for r in unit_test_results if r["status"] != "pass"
    ]
    assert not failed, "\n".join(failed)
    assert all(r["unique_id"].startswith("unit_test.") for r in unit_test_results)


def test_the_covered_models_have_unit_tests(unit_test_results: list) -> None:
    # unique_id: unit_test.<project>.<model>.<test name>
    tested = {r["unique_id"].split(".")[2] for r in unit_test_results}
    assert tested >= COVERED_MODELS, f"no unit test for {sorted(COVERED_MODELS - tested)}"

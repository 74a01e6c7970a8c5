"""dbt_project/tests/generic/unique_combination.sql: the grain test every mart declares. Two rows
with the same combination fail it, nulls included (they compare equal, as in GROUP BY); rows
that differ in any column pass, however alike. Checked on a project of three models over a real
export (IBIT's daily closes in ../shared/raw), tested by dbt in its own process.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingest.config import REPO_ROOT
from tests.dbt.small_project import run_dbt, write_project

GENERIC_TESTS = REPO_ROOT / "dbt_project" / "tests" / "generic"
# IBIT's sessions of January 2024 (the fund's first, from 2024-01-11): 14 of them
CLOSES = """\
select "Date" as bar_date, 'ibit' as fund, "Close" as close
from read_csv('IBIT_FILE')
where "Date" < date '2024-02-01'
"""
MODELS = {
    # one row per fund and day: passes
    "closes": CLOSES,
    # the first session twice: fails with one row (2024-01-11, 2 rows)
    "closes_doubled": "select * from {{ ref('closes') }}\nunion all\n"
    "select * from {{ ref('closes') }} where bar_date = date '2024-01-11'",
    # no fund on two rows of different days: passes; the same null fund and day twice: fails
    "closes_null_fund": "select bar_date, case when bar_date <= date '2024-01-12' then null "
    "else fund end as fund, close from {{ ref('closes') }}\nunion all\n"
    "select bar_date, null, close from {{ ref('closes') }} where bar_date = date '2024-01-12'",
}
SCHEMA = "version: 2\nmodels:\n" + "".join(
    f"  - name: {name}\n    data_tests:\n      - unique_combination:\n"
    "          arguments: {combination_of_columns: [fund, bar_date]}\n"
    for name in MODELS
)


def test_repeated_combinations_fail_and_distinct_ones_pass(tmp_path: Path) -> None:
    files = {f"{name}.sql": sql for name, sql in MODELS.items()}
    write_project(tmp_path, "grains", {**files, "schema.yml": SCHEMA})
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "generic").symlink_to(GENERIC_TESTS, target_is_directory=True)

    built = run_dbt(tmp_path, "build", "--store-failures")
    assert built.returncode == 1, built.stdout
    results = {
        line.split(" unique_combination_")[1].split("_fund__bar_date")[0]: line
        for line in built.stdout.splitlines()
        if " unique_combination_" in line and ("PASS" in line or "FAIL" in line)
    }
    assert "PASS" in results["closes"]
    assert "FAIL 1" in results["closes_doubled"]
    assert "FAIL 1" in results["closes_null_fund"]

    # what failed: the doubled first session, and the null fund twice on its second
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as db:
        stored = {
            table: db.execute(
                f"select fund, cast(bar_date as varchar), n_rows from main_dbt_test__audit.{table}"
            ).fetchall()
            for (table,) in db.execute(
                "select table_name from duckdb_tables() where schema_name = 'main_dbt_test__audit'"
            ).fetchall()
        }
    assert stored == {
        "unique_combination_closes_fund__bar_date": [],
        "unique_combination_closes_doubled_fund__bar_date": [("ibit", "2024-01-11", 2)],
        "unique_combination_closes_null_fund_fund__bar_date": [(None, "2024-01-12", 2)],
    }

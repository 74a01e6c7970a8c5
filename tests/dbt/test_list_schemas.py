"""dbt_project/macros/duckdb_list_schemas.sql: dbt finds the schemas a warehouse already has, so
a build creates only the missing ones. dbt-core hands list_schemas the quoted database name
("warehouse"), which dbt-duckdb's own macro compares with the bare catalog name: no schema was
ever found, and every build issued CREATE SCHEMA for each of its schemas again (two statements
and two transactions before the first model of every `make study` refresh).

A project of one model in its own schema over a real export (IBIT's closes in ../shared/raw),
built twice by dbt in its own process.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingest.config import REPO_ROOT
from tests.dbt.small_project import run_dbt, write_project

MACRO = REPO_ROOT / "dbt_project" / "macros" / "duckdb_list_schemas.sql"
# IBIT's first session: the fund started trading the day after the 2024-01-10 approval
FIRST_DAY = """\
{{ config(materialized='table', schema='marts') }}
select min("Date") as first_day from read_csv('IBIT_FILE')
"""


def _build(project: Path) -> str:
    """dbt run in its own process; the SQL it logged."""
    log = project / "dbt-logs" / "dbt.log"
    log.unlink(missing_ok=True)
    built = run_dbt(project, "run")
    assert built.returncode == 0, built.stdout
    return log.read_text().lower()


def test_a_build_creates_only_the_schemas_the_warehouse_lacks(tmp_path: Path) -> None:
    write_project(tmp_path, "schemas", {"ibit_first_day.sql": FIRST_DAY})
    (tmp_path / "macros").mkdir()
    (tmp_path / "macros" / MACRO.name).symlink_to(MACRO)

    first = _build(tmp_path)
    assert 'create schema if not exists "warehouse"."main_marts"' in first
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute(
            "select cast(first_day as varchar) from main_marts.ibit_first_day"
        ).fetchall() == [("2024-01-11",)]

    # the schema is there now: dbt lists it and creates nothing
    again = _build(tmp_path)
    assert "from system.information_schema.schemata" in again
    assert "create schema" not in again

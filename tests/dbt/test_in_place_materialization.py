"""dbt_project/macros/materializations/duckdb_in_place.sql: tables and views rebuilt in place,
in one transaction, keep what dbt-duckdb's rename dance kept: a model that fails leaves the last
good relation, contracts are enforced, descriptions are persisted, a model may change type.

A project of three models over a real export (IBIT's closes in ../shared/raw) with the
repository's materializations, built by dbt in its own process.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ingest.config import REPO_ROOT
from tests.dbt.small_project import run_dbt, write_project

MATERIALIZATIONS = REPO_ROOT / "dbt_project" / "macros" / "materializations"
# every relation's description persisted, as the published copy and BI tools read them
PERSIST_DOCS = "models:\n  in_place:\n    +persist_docs: {relation: true, columns: true}\n"
# IBIT's first session and close: the fund started trading the day after the 2024-01-10 approval
FIRST_DAY = """\
{{ config(materialized=var('kind', 'table')) }}
select
    min("Date") as first_day,
    arg_min({{ var('close', '"Close"') }}, "Date") as first_close
from read_csv('IBIT_FILE')
"""
FIRST_DAY_VIEW = """\
{{ config(materialized='view') }}
select first_day, round(first_close, 2) as first_close_rounded from {{ ref('ibit_first_day') }}
"""
FIRST_DAY_CONTRACT = """\
{{ config(materialized='table') }}
select first_day, first_close{{ var('contract_cast', '') }} as first_close
from {{ ref('ibit_first_day') }}
"""
SCHEMA = """\
version: 2
models:
  - name: ibit_first_day
    description: IBIT's first session and its close.
    columns:
      - name: first_day
        description: the first session in the export
  - name: ibit_first_day_view
    description: IBIT's first close, to the cent.
    columns:
      - name: first_close_rounded
        description: "the close, rounded: 26.63"
  - name: ibit_first_day_contract
    config:
      contract: {enforced: true}
    columns:
      - name: first_day
        data_type: date
      - name: first_close
        data_type: double
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    models = {
        "ibit_first_day.sql": FIRST_DAY,
        "ibit_first_day_view.sql": FIRST_DAY_VIEW,
        "ibit_first_day_contract.sql": FIRST_DAY_CONTRACT,
        "schema.yml": SCHEMA,
    }
    write_project(tmp_path, "in_place", models, PERSIST_DOCS)
    (tmp_path / "macros").symlink_to(MATERIALIZATIONS, target_is_directory=True)
    return tmp_path


def _query(project: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(project / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def _relations(project: Path) -> list[tuple]:
    return _query(
        project,
        "select table_name, table_type from information_schema.tables order by table_name",
    )


BUILT = [
    ("ibit_first_day", "BASE TABLE"),
    ("ibit_first_day_contract", "BASE TABLE"),
    ("ibit_first_day_view", "VIEW"),
]


def test_a_failed_rebuild_keeps_the_last_good_relations(project: Path) -> None:
    built = run_dbt(project, "run")
    assert built.returncode == 0, built.stdout
    assert _query(
        project, "select cast(first_day as varchar), first_close from ibit_first_day"
    ) == [("2024-01-11", pytest.approx(26.6299991607666, abs=1e-12))]
    assert _relations(project) == BUILT
    # built in place: no dbt-duckdb temporary or backup relation was ever created
    log = (project / "dbt-logs" / "dbt.log").read_text()
    assert "ibit_first_day" in log and "__dbt_tmp" not in log and "__dbt_backup" not in log
    # descriptions persisted as comments, as the published copy and BI tools read them
    assert _query(
        project, "select comment from duckdb_tables() where table_name = 'ibit_first_day'"
    ) == [("IBIT's first session and its close.",)]
    assert _query(project, "select comment from duckdb_views() where view_name like 'ibit%'") == [
        ("IBIT's first close, to the cent.",)
    ]
    assert _query(
        project,
        "select table_name, column_name, comment from duckdb_columns() "
        "where comment is not null and table_name like 'ibit%' order by table_name",
    ) == [
        ("ibit_first_day", "first_day", "the first session in the export"),
        ("ibit_first_day_view", "first_close_rounded", "the close, rounded: 26.63"),
    ]

    # the table's SQL fails (a column the export does not have): dbt reports it ...
    failed = run_dbt(project, "run", "--vars", '{close: "no_such_column"}')
    assert failed.returncode == 1
    assert "no_such_column" in failed.stdout
    # ... and the table dropped inside the failed transaction is back, with nothing left over
    assert _relations(project) == BUILT
    assert _query(project, "select cast(first_day as varchar) from ibit_first_day_view") == [
        ("2024-01-11",)
    ]


def test_contracts_are_enforced_and_a_model_may_change_type(project: Path) -> None:
    assert run_dbt(project, "run").returncode == 0
    # what a build killed under dbt-duckdb's own materialisation could leave behind is dropped
    with duckdb.connect(str(project / "warehouse.duckdb")) as con:
        con.execute("create table ibit_first_day__dbt_backup as select * from ibit_first_day")
        con.execute("create table ibit_first_day__dbt_tmp as select * from ibit_first_day")
    assert run_dbt(project, "run", "-s", "ibit_first_day").returncode == 0
    assert _relations(project) == BUILT

    # a contracted column of the wrong type: refused, the previous table kept
    broken = run_dbt(
        project, "run", "-s", "ibit_first_day_contract", "--vars", "{contract_cast: '::varchar'}"
    )
    assert broken.returncode == 1
    assert "contract" in broken.stdout.lower()
    assert _query(
        project,
        "select data_type from information_schema.columns where table_name = "
        "'ibit_first_day_contract' and column_name = 'first_close'",
    ) == [("DOUBLE",)]

    # a table that becomes a view (and back) replaces the relation of the other type
    assert run_dbt(project, "run", "-s", "ibit_first_day", "--vars", "{kind: view}").returncode == 0
    assert ("ibit_first_day", "VIEW") in _relations(project)
    assert run_dbt(project, "run", "-s", "ibit_first_day").returncode == 0
    assert _relations(project) == BUILT


def test_a_documented_column_the_model_lacks_fails_it(project: Path) -> None:
    """dbt's persist_docs skipped such a column silently; here its comment fails the model (the
    YAML documents a column the model does not have), and the last good table stays."""
    assert run_dbt(project, "run", "-s", "ibit_first_day").returncode == 0
    schema = project / "models" / "schema.yml"
    schema.write_text(
        schema.read_text().replace(
            "        description: the first session in the export\n",
            "        description: the first session in the export\n"
            "      - name: first_volume\n        description: not in the model\n",
        )
    )

    failed = run_dbt(project, "run", "-s", "ibit_first_day")

    assert failed.returncode == 1
    assert 'does not have a column with name "first_volume"' in failed.stdout
    assert _query(
        project,
        "select cast(first_day as varchar), comment from ibit_first_day, duckdb_tables() "
        "where table_name = 'ibit_first_day'",
    ) == [("2024-01-11", "IBIT's first session and its close.")]

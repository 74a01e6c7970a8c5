"""psql, the stock Postgres client: browsing commands and the README's queries."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date, datetime
from decimal import Decimal

import duckdb
import pytest

from tests.endpoint.readme_queries import readme_queries
from tests.endpoint.support import RunningEndpoint

PSQL = shutil.which("psql")
pytestmark = pytest.mark.skipif(
    PSQL is None, reason="psql missing: apt-get install postgresql-client"
)


def psql(endpoint: RunningEndpoint, *commands: str, unaligned: bool = False) -> str:
    args = [PSQL, "-X", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(endpoint.port)]
    args += ["-U", endpoint.user, "-d", "warehouse"]
    if unaligned:
        args += ["-A", "-t", "-F", "\t", "-P", "null="]
    for command in commands:
        args += ["-c", command]
    env = {**os.environ, "PGPASSWORD": endpoint.password, "PGCONNECT_TIMEOUT": "10"}
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def marts_tables(direct: duckdb.DuckDBPyConnection) -> list[str]:
    rows = direct.execute(
        "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
    ).fetchall()
    return [r[0] for r in rows]


def test_dt_lists_every_mart(endpoint, direct):
    out = psql(endpoint, r"\dt marts.*")
    listed = [line.split("|")[1].strip() for line in out.splitlines() if line.startswith(" marts")]
    assert listed == marts_tables(direct)
    assert "fct_car" in listed and "fct_findings" in listed


def test_d_shows_postgres_types(endpoint):
    out = psql(endpoint, r"\d marts.fct_car")
    types = {
        line.split("|")[0].strip(): line.split("|")[1].strip()
        for line in out.splitlines()
        if line.count("|") >= 2
    }
    assert types["car"] == "double precision"
    assert types["window_start"] == "integer"
    assert types["study_id"] == "text"
    assert 'Table "marts.fct_car"' in out


def test_d_plus_shows_column_descriptions(endpoint, direct):
    comment = direct.execute(
        "select comment from duckdb_columns() where schema_name = 'marts' "
        "and table_name = 'fct_car' and column_name = 'car_p_value'"
    ).fetchone()[0]
    out = psql(endpoint, r"\d+ marts.fct_car")
    line = next(line for line in out.splitlines() if line.strip().startswith("car_p_value"))
    assert line.rstrip().endswith(comment)


def test_dn_and_l(endpoint):
    schemas = psql(endpoint, r"\dn")
    for schema in ("marts", "meta", "raw", "staging"):
        assert f" {schema} " in schemas
    databases = psql(endpoint, r"\l")
    assert " warehouse " in databases and "UTF8" in databases


def _psql_text(value: object) -> str:
    """How the endpoint renders a DuckDB value in Postgres text format."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, float):
        return "NaN" if value != value else repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "{" + ",".join(_psql_text(v) for v in value) + "}"
    return str(value)


@pytest.mark.parametrize("query", readme_queries(), ids=lambda q: " ".join(q.split())[:60])
def test_readme_query_through_psql(endpoint, direct, query):
    out = psql(endpoint, query, unaligned=True)
    got = [line.split("\t") for line in out.splitlines()]
    expected = [[_psql_text(v) for v in row] for row in direct.execute(query).fetchall()]
    assert expected
    if "order by" not in query.lower():
        got, expected = sorted(got), sorted(expected)
    assert got == expected

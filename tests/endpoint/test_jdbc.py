"""pgjdbc, the driver inside Metabase, DBeaver and Tableau's Postgres connector."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ingest.config import env_value

PROBE = Path(__file__).parent / "jdbc" / "MetadataProbe.java"
JAR = Path(env_value("POSTGRES_JDBC_JAR") or "/usr/share/java/postgresql.jar")
JAVA = shutil.which("java")


@pytest.fixture(scope="module")
def probe(endpoint) -> dict[str, list[list[str]]]:
    if JAVA is None or not JAR.exists():  # .ci/run installs both; never skip silently
        pytest.fail(
            "needs java and pgjdbc: apt-get install default-jre-headless libpostgresql-jdbc-java"
        )
    url = f"jdbc:postgresql://127.0.0.1:{endpoint.port}/warehouse"
    result = subprocess.run(
        [JAVA, "-cp", str(JAR), str(PROBE), url, endpoint.user, endpoint.password],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    lines: dict[str, list[list[str]]] = {}
    for line in result.stdout.splitlines():
        kind, *fields = line.split("\t")
        lines.setdefault(kind, []).append([_unescape(f) for f in fields])
    return lines


def _unescape(field: str) -> str | None:
    if field == "\\N":
        return None
    return re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n"}.get(m.group(1), m.group(1)), field)


def test_schemas_and_tables_with_remarks(probe, direct):
    assert {"marts", "meta", "raw", "staging"} <= {f[0] for f in probe["SCHEMA"]}
    tables = {name: (kind, remarks) for name, kind, remarks in probe["TABLE"]}
    expected = {
        name: (kind, comment)
        for name, kind, comment in direct.execute(
            "select table_name, 'TABLE', comment from duckdb_tables() where schema_name = 'marts' "
            "union all select view_name, 'VIEW', comment from duckdb_views() "
            "where schema_name = 'marts' and not internal"
        ).fetchall()
    }
    assert tables == expected
    # the pairs x days mart stays a view in the published copy (publishing/served_views.py)
    assert tables["fct_abnormal_returns"][0] == "VIEW" and tables["fct_abnormal_returns"][1]


def test_columns_with_jdbc_types_and_remarks(probe, direct):
    columns = {
        name: (type_name, int(jdbc), remarks) for name, type_name, jdbc, remarks in probe["COLUMN"]
    }
    comments = dict(
        direct.execute(
            "select column_name, comment from duckdb_columns() "
            "where schema_name = 'marts' and table_name = 'fct_car'"
        ).fetchall()
    )
    assert columns["car"] == ("float8", 8, comments["car"])  # java.sql.Types.DOUBLE
    assert columns["window_start"][:2] == ("int4", 4)  # INTEGER
    assert columns["study_id"][:2] == ("text", 12)  # VARCHAR
    assert set(columns) == set(comments)


def test_keys_and_indexes_are_empty(probe):
    assert probe["PRIMARY_KEYS"] == [["0"]]
    assert probe["FOREIGN_KEYS"] == [["0"]]
    assert probe["INDEXES"] == [["0"]]


def test_prepared_query_runs_repeatedly(probe, direct):
    expected = [
        [str(a), str(b), repr(c)]
        for a, b, c in direct.execute(
            "select window_start, window_end, car from marts.fct_car where study_id = "
            "'hacks_crypto' and event_id = 'bybit_hack' and asset_id = 'btc' order by 1, 2"
        ).fetchall()
    ]
    assert len(expected) == 3
    for run in range(3):
        assert probe[f"CAR{run}"] == expected


def test_refusal_keeps_the_connection(probe):
    assert probe["REFUSED"] == [["25006"]]
    assert int(probe["AFTER"][0][0]) > 0

"""psycopg 3 against the endpoint: the README's queries answer exactly what DuckDB answers."""

from __future__ import annotations

import math
from datetime import date

import duckdb
import psycopg
import pytest

from tests.endpoint.readme_queries import readme_queries
from tests.endpoint.support import RunningEndpoint


def normalised(rows: list[tuple], ordered: bool) -> list[tuple]:
    """Rows comparable across drivers: NaN equal to NaN, order ignored without ORDER BY."""
    rows = [tuple("NaN" if isinstance(v, float) and math.isnan(v) else v for v in r) for r in rows]
    return rows if ordered else sorted(rows, key=repr)


@pytest.fixture(scope="module")
def conn(endpoint: RunningEndpoint):
    with psycopg.connect(endpoint.dsn(), autocommit=True) as connection:
        yield connection


@pytest.mark.parametrize("query", readme_queries(), ids=lambda q: " ".join(q.split())[:60])
def test_readme_query_answers_what_duckdb_answers(conn, direct: duckdb.DuckDBPyConnection, query):
    through_endpoint = conn.execute(query).fetchall()
    reference = direct.execute(query).fetchall()
    assert reference, "every README query returns rows on the real data"
    ordered = "order by" in query.lower()
    assert normalised(through_endpoint, ordered) == normalised(reference, ordered)


def test_bybit_hack_btc_car_windows(conn):
    """A fact of the real data: BTC's CAR windows around the Bybit hack are [-1,1], [0,0], [0,5]."""
    rows = conn.execute(
        "select window_start, window_end, n_days from marts.fct_car "
        "where study_id = 'hacks_crypto' and event_id = 'bybit_hack' and asset_id = 'btc' "
        "order by window_start, window_end"
    ).fetchall()
    assert rows == [(-1, 1, 3), (0, 0, 1), (0, 5, 6)]


def test_server_side_parameters_match_literals(conn, direct):
    query = (
        "select relative_day, trade_date, flow_usd from marts.fct_event_etf_flows "
        "where event_id = %s and product = %s and relative_day between %s and %s "
        "order by relative_day"
    )
    with_params = conn.execute(query, ("bybit_hack", "BTC", -5, 10)).fetchall()
    reference = direct.execute(query.replace("%s", "?"), ["bybit_hack", "BTC", -5, 10]).fetchall()
    assert with_params == reference
    assert [r[0] for r in with_params] == list(range(-5, 11))
    # Day 0 of the Bybit hack on XNYS is Friday 21 February 2025.
    assert dict((r[0], r[1]) for r in with_params)[0] == date(2025, 2, 21)


def test_result_columns_carry_postgres_type_oids(conn):
    cursor = conn.execute(
        "select car, n_days, study_id, 1.5::decimal(10, 2) as d from marts.fct_car limit 1"
    )
    assert [c.type_code for c in cursor.description] == [701, 23, 25, 1700]
    cursor = conn.execute("select build_id, published_at, total_rows from meta.build_info")
    assert [c.type_code for c in cursor.description] == [25, 1184, 20]
    cursor = conn.execute("select date, market_open from marts.fct_etf_flow_daily limit 1")
    assert [c.type_code for c in cursor.description] == [1082, 16]
    cursor = conn.execute("select sources from marts.fct_hack_incident limit 1")
    assert cursor.description[0].type_code == 1009  # VARCHAR[] -> text[]
    assert isinstance(cursor.fetchone()[0], list)


def test_binary_results_equal_text_results(endpoint: RunningEndpoint):
    query = (
        "select trade_date, flow_usd, cumulative_abnormal_flow_usd from marts.fct_event_etf_flows "
        "where event_id = 'bybit_hack' and product = 'BTC' order by relative_day"
    )
    with psycopg.connect(endpoint.dsn(), autocommit=True) as connection:
        as_text = connection.execute(query).fetchall()
        with connection.cursor(binary=True) as cursor:
            as_binary = cursor.execute(query).fetchall()
    assert as_binary == as_text and len(as_text) > 10


def test_unnamed_columns_get_postgres_names(conn):
    cursor = conn.execute(
        "select study_id, count(*), sum(car), 1 + 1 from marts.fct_car group by study_id limit 1"
    )
    assert [c.name for c in cursor.description] == ["study_id", "count", "sum", "?column?"]


def test_descriptions_reach_the_client(conn, direct):
    comment = direct.execute(
        "select comment from duckdb_tables() where schema_name = 'marts' and table_name = 'fct_car'"
    ).fetchone()[0]
    column_comment = direct.execute(
        "select comment from duckdb_columns() where schema_name = 'marts' "
        "and table_name = 'fct_car' and column_name = 'car'"
    ).fetchone()[0]
    assert comment and column_comment  # dbt's descriptions travel with the published copy
    assert conn.execute(
        "select obj_description('marts.fct_car'::regclass, 'pg_class')"
    ).fetchone() == (comment,)
    assert conn.execute(
        "select col_description('marts.fct_car'::regclass, a.attnum) from pg_attribute a "
        "where a.attrelid = 'marts.fct_car'::regclass and a.attname = 'car'"
    ).fetchone() == (column_comment,)


def test_nested_transaction_uses_savepoints(endpoint: RunningEndpoint):
    with psycopg.connect(endpoint.dsn()) as connection:
        with connection.transaction(), connection.transaction():
            assert connection.execute("select count(*) from marts.dim_asset").fetchone()[0] > 0
        assert connection.execute("show transaction isolation level").fetchone() == (
            "read committed",
        )


def test_session_functions(conn):
    row = conn.execute(
        "select current_database(), current_schema(), current_user, version()"
    ).fetchone()
    assert row[:3] == ("warehouse", "marts", "warehouse")
    assert row[3].startswith("PostgreSQL 15.0") and "DuckDB" in row[3]
    conn.execute("set search_path to raw")
    try:
        assert conn.execute("select current_schema()").fetchone() == ("raw",)
        # Unqualified names now resolve in raw, as Postgres's search_path does.
        assert conn.execute("select count(*) > 0 from daily_bars").fetchone() == (True,)
    finally:
        conn.execute("reset search_path")
    assert conn.execute("select count(*) from fct_car").fetchone()[0] > 0

"""Catalog and dashboard query shapes of BI tools not run here as applications (Metabase,
DBeaver, Grafana, Superset's charts), written as those tools send them, one test per shape."""

from __future__ import annotations

from datetime import date

import psycopg
import pytest


@pytest.fixture(scope="module")
def conn(endpoint):
    with psycopg.connect(endpoint.dsn(), autocommit=True) as connection:
        yield connection


def comment_of(direct, table: str, column: str | None = None) -> str:
    if column is None:
        sql = "select comment from duckdb_tables() where schema_name = 'marts' and table_name = ?"
        return direct.execute(sql, [table]).fetchone()[0]
    sql = (
        "select comment from duckdb_columns() where schema_name = 'marts' "
        "and table_name = ? and column_name = ?"
    )
    return direct.execute(sql, [table, column]).fetchone()[0]


def test_psycopg_type_info_fetch(conn):
    """psycopg's TypeInfo.fetch (SQLAlchemy runs it on connect for hstore)."""
    sql = (
        "SELECT typname AS name, oid, typarray AS array_oid, oid::regtype::text AS regtype, "
        "typdelim AS delimiter FROM pg_type t WHERE t.oid = to_regtype(%(name)s) ORDER BY t.oid"
    )
    assert conn.execute(sql, {"name": "float8"}).fetchall() == [
        ("float8", 701, 1022, "double precision", ",")
    ]
    assert conn.execute(sql, {"name": "hstore"}).fetchall() == []


def test_metabase_describe_database(conn, direct):
    rows = conn.execute(
        """
        SELECT n.nspname AS schema, c.relname AS name,
               CASE c.relkind WHEN 'r' THEN 'TABLE' WHEN 'p' THEN 'PARTITIONED TABLE'
                    WHEN 'v' THEN 'VIEW' WHEN 'f' THEN 'FOREIGN TABLE'
                    WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE NULL END AS type,
               d.description AS description, stat.n_live_tup AS estimated_row_count
        FROM pg_catalog.pg_class AS c
        INNER JOIN pg_catalog.pg_namespace AS n ON c.relnamespace = n.oid
        LEFT JOIN pg_catalog.pg_description AS d
               ON c.oid = d.objoid AND d.objsubid = 0 AND d.classoid = 'pg_class'::regclass
        LEFT JOIN pg_stat_user_tables AS stat
               ON n.nspname = stat.schemaname AND c.relname = stat.relname
        WHERE c.relkind IN ('r', 'p', 'v', 'f', 'm')
          AND n.nspname !~ '^information_schema$' AND n.nspname <> 'pg_catalog'
          AND n.nspname NOT LIKE 'pg_toast%'
          AND has_schema_privilege(n.nspname, 'USAGE')
          AND has_table_privilege(c.oid, 'SELECT')
        ORDER BY type, schema, name
        """
    ).fetchall()
    by_name = {(r[0], r[1]): r for r in rows}
    car = by_name[("marts", "fct_car")]
    assert car[2] == "TABLE" and car[3] == comment_of(direct, "fct_car")
    assert car[4] == direct.execute("select count(*) from marts.fct_car").fetchone()[0]
    assert ("meta", "build_info") in by_name and ("raw", "daily_bars") in by_name


def test_metabase_describe_fields(conn, direct):
    rows = conn.execute(
        """
        SELECT c.column_name AS name,
               CASE WHEN c.udt_schema IN ('public', 'pg_catalog') THEN format('%I', c.udt_name)
                    ELSE format('%I.%I', c.udt_schema, c.udt_name) END AS database_type,
               c.ordinal_position - 1 AS database_position,
               c.table_schema AS table_schema, c.table_name AS table_name,
               pk.column_name IS NOT NULL AS pk,
               col_description(cast(cast(format('%I.%I', cast(c.table_schema AS text),
                   cast(c.table_name AS text)) AS regclass) AS oid), c.ordinal_position)
                   AS field_comment
        FROM information_schema.columns AS c
        LEFT JOIN (SELECT tc.table_schema, tc.table_name, kc.column_name
                   FROM information_schema.table_constraints AS tc
                   INNER JOIN information_schema.key_column_usage AS kc
                     ON tc.constraint_name = kc.constraint_name
                    AND tc.table_schema = kc.table_schema AND tc.table_name = kc.table_name
                   WHERE tc.constraint_type = 'PRIMARY KEY') AS pk
               ON c.table_schema = pk.table_schema AND c.table_name = pk.table_name
              AND c.column_name = pk.column_name
        WHERE c.table_schema !~ '^information_schema|catalog_history|pg_'
          AND c.table_schema = 'marts' AND c.table_name = 'fct_car'
        ORDER BY database_position
        """
    ).fetchall()
    fields = {r[0]: r for r in rows}
    assert fields["car"][1] == "float8" and fields["window_start"][1] == "int4"
    assert fields["car"][6] == comment_of(direct, "fct_car", "car")
    assert [r[2] for r in rows] == list(range(len(rows))) and not any(r[5] for r in rows)


def test_dbeaver_connect_queries(conn):
    assert conn.execute("SELECT current_schema(), session_user").fetchone() == (
        "marts",
        "warehouse",
    )
    databases = conn.execute("select oid, * from pg_catalog.pg_database").fetchall()
    assert [row[2] for row in databases] == ["warehouse"]
    keywords = conn.execute("select string_agg(word, ',') from pg_catalog.pg_get_keywords()")
    assert "select" in keywords.fetchone()[0].split(",")
    assert conn.execute(
        "select setting from pg_catalog.pg_settings where name = 'max_index_keys'"
    ).fetchone() == ("32",)
    namespaces = conn.execute("select n.oid, n.* from pg_catalog.pg_namespace n").fetchall()
    assert {"marts", "pg_catalog", "information_schema"} <= {row[2] for row in namespaces}


def test_grafana_table_and_column_pickers(conn):
    tables = conn.execute(
        "SELECT quote_ident(table_name) AS table_name FROM information_schema.tables "
        "WHERE quote_ident(table_schema) NOT IN ('information_schema', 'monitor', 'pg_catalog') "
        "AND table_type = 'BASE TABLE' ORDER BY table_name"
    ).fetchall()
    assert ("fct_fx_daily",) in tables and ("build_info",) in tables
    columns = dict(
        conn.execute(
            'SELECT quote_ident(column_name) AS "column", data_type AS "type" '
            "FROM information_schema.columns WHERE quote_ident(table_name) = 'fct_fx_daily'"
        ).fetchall()
    )
    assert columns["date"] == "date" and columns["rate"] == "double precision"
    assert columns["pair"] == "text"


def test_metabase_timezone_queries(conn):
    assert conn.execute("SHOW TIMEZONE").fetchone() == ("UTC",)
    assert conn.execute("select current_setting('TIMEZONE')").fetchone() == ("UTC",)


def test_superset_chart_query(conn, direct):
    """Superset's SQL for a bar chart of monthly hack losses (its Postgres time grain)."""
    sql = (
        "SELECT DATE_TRUNC('month', incident_date) AS incident_date, "
        'sum(amount_usd) AS "SUM(amount_usd)" FROM marts.fct_hack_incident '
        "GROUP BY DATE_TRUNC('month', incident_date) "
        'ORDER BY "SUM(amount_usd)" DESC LIMIT 10000'
    )
    rows = conn.execute(sql).fetchall()
    assert sorted(rows, key=repr) == sorted(direct.execute(sql).fetchall(), key=repr)
    losses = {month.date(): loss for month, loss in rows}
    # Terra Classic (8 May 2022, $40B in the hack sources) tops every month; the Bybit hack
    # (about $1.5B, 21 Feb 2025) alone puts February 2025 above $1.4B.
    assert rows[0][0].date() == date(2022, 5, 1) and rows[0][1] >= 40e9
    assert losses[date(2025, 2, 1)] > 1.4e9


def test_metabase_question_query(conn, direct):
    sql = (
        'SELECT CAST(date_trunc(\'month\', "marts"."fct_etf_flow_daily"."date") AS date) AS "date", '
        'SUM("marts"."fct_etf_flow_daily"."flow_usd") AS "sum" FROM "marts"."fct_etf_flow_daily" '
        'WHERE "marts"."fct_etf_flow_daily"."product" = \'BTC\' '
        'GROUP BY CAST(date_trunc(\'month\', "marts"."fct_etf_flow_daily"."date") AS date) '
        'ORDER BY "date" ASC'
    )
    rows = conn.execute(sql).fetchall()
    assert rows == direct.execute(sql).fetchall() and len(rows) > 12

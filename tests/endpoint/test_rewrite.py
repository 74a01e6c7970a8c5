"""rewrite.py on its own: what it leaves alone and how it spells Postgres catalog SQL for DuckDB."""

from __future__ import annotations

import pytest

from endpoint.catalog import CatalogInfo
from endpoint.rewrite import SessionContext, rewrite


@pytest.fixture()
def context() -> SessionContext:
    catalog = CatalogInfo(
        namespaces={"pg_catalog": 11, "marts": 16384},
        relations={("marts", "fct_car"): 16400, ("pg_catalog", "pg_class"): 1259},
    )
    return SessionContext(
        user="warehouse",
        pid=10007,
        search_path=["marts"],
        settings={"search_path": "marts", "timezone": "UTC"},
        catalog=catalog,
        server_version="PostgreSQL 15.0",
        started_at="2026-01-01 00:00:00+00:00",
        port=5433,
    )


@pytest.mark.parametrize(
    "sql",
    [
        "select car from marts.fct_car where study_id = 'hacks_crypto'",
        "from marts.fct_car select count(*)",  # DuckDB syntax sqlglot need not understand
        "select version_label from marts.some_table",  # a column that merely looks like one
    ],
)
def test_analyst_queries_go_through_untouched(sql, context):
    assert rewrite(sql, context) == sql


def test_session_functions_become_this_sessions_values(context):
    sql = rewrite("select current_schema(), current_user, pg_backend_pid(), version()", context)
    assert "'marts' AS \"current_schema\"" in sql
    assert "'warehouse' AS \"current_user\"" in sql and "10007" in sql
    assert "'PostgreSQL 15.0'" in sql


def test_catalog_tables_point_at_the_emulation(context):
    sql = rewrite(
        "SELECT c.relname FROM pg_catalog.pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname OPERATOR(pg_catalog.~) '^(marts)$' COLLATE pg_catalog.default "
        "AND c.oid = 'marts.fct_car'::regclass",
        context,
    )
    assert (
        "memory.pgcat.pg_class AS c" in sql
        and "memory.pgcat.pg_namespace AS pg_namespace" not in sql
    )
    assert "REGEXP_MATCHES(n.nspname, '^(marts)$')" in sql and "COLLATE" not in sql
    assert "memory.pgcat.regclass_in('marts.fct_car')" in sql.lower().replace(
        "memory.pgcat", "memory.pgcat"
    )


def test_table_visibility_follows_the_search_path(context):
    sql = rewrite("select pg_catalog.pg_table_is_visible(c.oid) from pg_class c", context)
    assert "IN (1259, 16400)" in sql


def test_unknown_catalog_relation_is_a_clear_error(context):
    from pg_mimic import PgError

    with pytest.raises(PgError) as error:
        rewrite("select * from pg_catalog.pg_replication_slots", context)
    assert error.value.sqlstate == "42P01"

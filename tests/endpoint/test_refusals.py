"""Read-only and confined: every write, file, network or engine change is refused clearly, and
the connection stays usable afterwards."""

from __future__ import annotations

import pg8000.native
import psycopg
import pytest

from tests.endpoint.support import RunningEndpoint

READ_ONLY, PRIVILEGE = "25006", "42501"

REFUSED = [
    ("insert into marts.fct_car (study_id) values ('x')", READ_ONLY),
    ("update marts.fct_car set car = 0", READ_ONLY),
    ("delete from marts.fct_car", READ_ONLY),
    ("create table marts.x (a int)", READ_ONLY),
    ("create temp table t as select 1", READ_ONLY),
    ("create view v as select 1", READ_ONLY),
    ("drop table marts.fct_car", READ_ONLY),
    ("alter table marts.fct_car add column z int", READ_ONLY),
    ("with x as (select 1) insert into marts.fct_car (study_id) select 'x' from x", READ_ONLY),
    ("explain analyze create table y as select 1", READ_ONLY),
    ("pivot marts.fct_car on asset_id using sum(car)", READ_ONLY),
    ("truncate marts.fct_car", READ_ONLY),
    ("attach '/tmp/other.duckdb' as other", PRIVILEGE),
    ("detach warehouse", PRIVILEGE),
    ("copy marts.fct_car to '/tmp/fct_car.csv'", PRIVILEGE),
    ("copy (select 1) to '/tmp/one.csv'", PRIVILEGE),
    ("export database '/tmp/export'", PRIVILEGE),
    ("import database '/etc'", PRIVILEGE),
    ("install httpfs", PRIVILEGE),
    ("load httpfs", PRIVILEGE),
    ("set memory_limit = '100GB'", PRIVILEGE),
    ("set threads = 1", PRIVILEGE),
    ("set enable_external_access = true", PRIVILEGE),
    ("reset lock_configuration", PRIVILEGE),
    ("set variable secret = 1", PRIVILEGE),
    ("pragma enable_profiling", PRIVILEGE),
    ("call pragma_version()", PRIVILEGE),
    ("checkpoint", PRIVILEGE),
    ("select * from checkpoint()", PRIVILEGE),
    ("select * from query('select 42')", PRIVILEGE),
    ("use marts", PRIVILEGE),
    ("select * from read_csv('/etc/passwd')", PRIVILEGE),
    ("select * from read_text('/etc/hostname')", PRIVILEGE),
    ("select * from read_parquet('http://127.0.0.1:9/x.parquet')", PRIVILEGE),
    ("select * from glob('/etc/*')", PRIVILEGE),
    ("select * from sniff_csv('/etc/passwd')", PRIVILEGE),
]


@pytest.fixture(scope="module")
def conn(endpoint: RunningEndpoint):
    with psycopg.connect(endpoint.dsn(), autocommit=True) as connection:
        yield connection


@pytest.mark.parametrize(("statement", "sqlstate"), REFUSED, ids=[s for s, _ in REFUSED])
def test_refused_with_sqlstate_and_connection_stays_usable(conn, statement, sqlstate):
    with pytest.raises(psycopg.Error) as refused:
        conn.execute(statement)
    assert refused.value.sqlstate == sqlstate
    assert "read-only" in str(refused.value)
    assert conn.execute("select count(*) from marts.dim_asset").fetchone()[0] > 0


def test_refusals_are_logged_one_line_each(endpoint, conn):
    with pytest.raises(psycopg.Error):
        conn.execute("drop table marts.dim_event")
    log = endpoint.wait_for_log("drop table marts.dim_event")
    lines = [line for line in log.splitlines() if "refused pid=" in line]
    assert any("sqlstate=25006" in line and "drop table marts.dim_event" in line for line in lines)


def test_refused_inside_a_transaction_needs_rollback_then_works(endpoint):
    with psycopg.connect(endpoint.dsn()) as connection:
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            connection.execute("delete from marts.fct_car")
        with pytest.raises(psycopg.errors.InFailedSqlTransaction):
            connection.execute("select 1")
        connection.rollback()
        assert connection.execute("select 1").fetchone() == (1,)


CLIENT_SETTINGS = [
    "SET application_name = 'superset'",
    "SET extra_float_digits = 3",
    "SET DateStyle = 'ISO, MDY'",
    "SET client_encoding = 'UTF8'",
    "SET search_path TO marts, public",
    "SET statement_timeout = 5000",
    "SET TimeZone = 'UTC'",
    "SET TIME ZONE 'UTC'",
    "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED",
    "SET intervalstyle = 'postgres'",
    "RESET application_name",
    "DISCARD ALL",
]


@pytest.mark.parametrize("statement", CLIENT_SETTINGS)
def test_harmless_client_settings_are_accepted(conn, statement):
    conn.execute(statement)
    assert conn.execute("select count(*) from fct_car").fetchone()[0] > 0


def test_statement_timeout_is_kept_within_the_bound(conn):
    conn.execute("set statement_timeout = '5s'")
    assert conn.execute("show statement_timeout").fetchone() == ("5s",)
    conn.execute("set statement_timeout = '1h'")  # above the endpoint's 30 s bound
    assert conn.execute("show statement_timeout").fetchone() == ("30s",)
    conn.execute("set statement_timeout = 0")  # Postgres's "no limit" is the bound here
    assert conn.execute("show statement_timeout").fetchone() == ("30s",)


def test_wrong_password_is_refused_with_28P01(endpoint):
    with pytest.raises(pg8000.native.DatabaseError) as refused:
        pg8000.native.Connection(
            endpoint.user, host="127.0.0.1", port=endpoint.port, database="warehouse",
            password="not-the-password", timeout=10,
        )  # fmt: skip
    assert refused.value.args[0]["C"] == "28P01"
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(endpoint.dsn(password="not-the-password"))
    log = endpoint.wait_for_log("refused login user=warehouse")
    assert "not-the-password" not in log and endpoint.password not in log


def test_unknown_user_or_empty_password_never_gets_in(endpoint):
    for user, password in (("postgres", endpoint.password), ("intruder", "")):
        with pytest.raises(pg8000.native.DatabaseError) as refused:
            pg8000.native.Connection(
                user, host="127.0.0.1", port=endpoint.port, database="warehouse",
                password=password, timeout=10,
            )  # fmt: skip
        assert refused.value.args[0]["C"] == "28P01"


def test_unknown_database_is_refused(endpoint):
    with pytest.raises(psycopg.OperationalError, match='database "postgres" does not exist'):
        psycopg.connect(endpoint.dsn(dbname="postgres"))

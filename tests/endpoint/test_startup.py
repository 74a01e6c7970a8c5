"""Starting the endpoint: the banner, the generated password file, and clear startup errors."""

from __future__ import annotations

import stat

import duckdb
import psycopg

from tests.endpoint.conftest import copy_of
from tests.endpoint.support import run_endpoint_to_exit, start_endpoint, stop_endpoint_process


def test_banner_names_address_database_user_and_build(endpoint):
    banner = "\n".join(endpoint.banner)
    with duckdb.connect(str(endpoint.serving_db), read_only=True) as con:
        build_id = con.execute("select build_id from meta.build_info").fetchone()[0]
    assert f"127.0.0.1:{endpoint.port}" in banner
    assert "database  warehouse" in banner and "user      warehouse" in banner
    assert f"build {build_id}" in banner
    assert "password  from SERVE_PASSWORD" in banner and endpoint.password not in banner


def test_one_log_line_per_connection(endpoint):
    with psycopg.connect(endpoint.dsn(), application_name="log-check") as connection:
        connection.execute("select 1")
    log = endpoint.wait_for_log("disconnect pid=")
    assert "application='log-check'" in log and "connect pid=" in log
    assert endpoint.password not in log


def test_without_password_one_is_generated_into_an_owner_only_file(published_copy, tmp_path):
    serving_db = copy_of(published_copy, tmp_path / "serving")
    password_file = tmp_path / "serving" / "endpoint_password"
    env = {"SERVE_PASSWORD": "", "SERVE_PASSWORD_FILE": str(password_file)}
    first = start_endpoint(serving_db, tmp_path, env)
    try:
        password = password_file.read_text().strip()
        assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
        assert len(password) >= 24
        assert any(f"generated now: {password}" in line for line in first.banner)
        with psycopg.connect(first.dsn(password=password)) as connection:
            assert connection.execute("select count(*) from marts.dim_asset").fetchone()[0] > 0
    finally:
        stop_endpoint_process(first.process)
    second = start_endpoint(serving_db, tmp_path, env)
    try:  # a restart reuses the file (saved BI connections keep working), printing only its place
        banner = "\n".join(second.banner)
        assert str(password_file) in banner and password not in banner
        with psycopg.connect(second.dsn(password=password)) as connection:
            assert connection.execute("select 1").fetchone() == (1,)
    finally:
        stop_endpoint_process(second.process)


def test_missing_serving_db_exits_2_with_a_clear_message(tmp_path):
    result = run_endpoint_to_exit({"SERVING_DB": str(tmp_path / "nothing" / "warehouse.duckdb")})
    assert result.returncode == 2
    assert "run `make run` first" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_setting_exits_2_naming_the_variable(published_copy):
    result = run_endpoint_to_exit(
        {"SERVING_DB": str(published_copy), "SERVE_MEMORY_LIMIT": "lots", "SERVE_PASSWORD": "x"}
    )
    assert result.returncode == 2
    assert "SERVE_MEMORY_LIMIT" in result.stderr and "Traceback" not in result.stderr


def test_unreadable_serving_db_exits_2(tmp_path):
    broken = tmp_path / "warehouse.duckdb"
    broken.write_text("not a DuckDB file")
    result = run_endpoint_to_exit({"SERVING_DB": str(broken), "SERVE_PASSWORD": "x"})
    assert result.returncode == 2
    assert "cannot open the published warehouse" in result.stderr
    assert "Traceback" not in result.stderr

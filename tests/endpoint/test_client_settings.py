"""SET/SHOW/RESET parsing and the session settings, without a server."""

from __future__ import annotations

import pytest
from pg_mimic import PgError

from endpoint.client_settings import (
    ClientSettings,
    NoOpCommand,
    ResetCommand,
    SetCommand,
    ShowCommand,
    parse_command,
)


@pytest.mark.parametrize(
    ("sql", "command"),
    [
        ("SET application_name = 'Superset'", SetCommand("application_name", "Superset")),
        ("set search_path to marts, 'raw'", SetCommand("search_path", "marts, raw")),
        ("SET SESSION statement_timeout TO DEFAULT", SetCommand("statement_timeout", None)),
        ("SET TIME ZONE 'UTC'", SetCommand("timezone", "UTC")),
        ('SET "DateStyle" = ISO', SetCommand("datestyle", "ISO")),
        ("SHOW transaction isolation level", ShowCommand("transaction_isolation")),
        ("show ALL", ShowCommand("all")),
        ("RESET ALL", ResetCommand("all")),
        ("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", NoOpCommand("SET")),
        ("SAVEPOINT _pg3_1", NoOpCommand("SAVEPOINT")),
        ("RELEASE SAVEPOINT _pg3_1", NoOpCommand("RELEASE")),
        ("DISCARD ALL", NoOpCommand("DISCARD")),
        ("SHOW TABLES", None),  # DuckDB's own SHOW goes to DuckDB
        ("select 1", None),
    ],
)
def test_parse_command(sql, command):
    assert parse_command(sql) == command


def test_search_path_keeps_existing_schemas_in_order():
    settings = ClientSettings("warehouse", 30, ["marts", "raw", "staging"])
    assert settings.search_path == ["marts"]
    settings.set("search_path", '"$user", public, raw, marts')
    assert settings.search_path == ["raw", "marts"]


def test_statement_timeout_units_and_bound():
    settings = ClientSettings("warehouse", 30, [])
    settings.set("statement_timeout", "1500")  # a bare number is milliseconds
    assert settings.statement_timeout == 1.5
    settings.set("statement_timeout", "2min")
    assert settings.statement_timeout == 30
    with pytest.raises(PgError) as invalid:
        settings.set("statement_timeout", "soon")
    assert invalid.value.sqlstate == "22023"


def test_engine_options_and_unknown_parameters_are_refused():
    settings = ClientSettings("warehouse", 30, [])
    for name in ("memory_limit", "threads", "enable_external_access", "work_mem"):
        with pytest.raises(PgError) as refused:
            settings.set(name, "1")
        assert refused.value.sqlstate == "42501"
    with pytest.raises(PgError) as unknown:
        settings.show("no_such_setting")
    assert unknown.value.sqlstate == "42704"

"""Incremental builds: nothing changed builds nothing; one changed file equals a full rebuild."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import numpy as np
import pytest

from tests.e2e_support import BuildResult, build_warehouse

pytestmark = pytest.mark.e2e

# Columns that say when a row was loaded or where its payload was archived, not what it holds.
VOLATILE = {"loaded_at", "loaded_at_utc", "received_at", "received_at_utc", "archive_path"}
COMPARED_SCHEMAS = ("raw", "staging", "intermediate", "marts")
# The log of every payload ever received: an incremental warehouse has also seen the old one.
HISTORY_TABLES = {"raw.payloads", "staging.stg_payloads"}


def _copy_build(built_warehouse: Path, folder: Path) -> Path:
    """The session's warehouse and its published copy, as another user's clone would have them."""
    folder.mkdir()
    shutil.copy(built_warehouse, folder / built_warehouse.name)
    shutil.copytree(built_warehouse.parent / "serving", folder / "serving")
    return folder / built_warehouse.name


def _materialized(result: BuildResult) -> set[str]:
    return {
        e.asset_key.to_user_string()
        for e in result.events_of("ASSET_MATERIALIZATION")
        if e.asset_key is not None
    }


def _rebuilt(result: BuildResult) -> set[str]:
    """Models dbt ran in this build (the others are reported current, with rebuilt = false)."""
    rebuilt = set()
    for event in result.events_of("ASSET_MATERIALIZATION"):
        metadata = event.event_specific_data.materialization.metadata
        flag = metadata.get("rebuilt")
        if flag is None or flag.value is not False:
            rebuilt.add(event.asset_key.to_user_string())
    return rebuilt


def _entry_statuses(result: BuildResult) -> dict[str, str]:
    statuses = {}
    for event in result.events_of("ASSET_MATERIALIZATION"):
        metadata = event.event_specific_data.materialization.metadata
        if event.asset_key.path[0] == "ingest" and "changed" in metadata:
            statuses[event.asset_key.path[-1]] = metadata["status"].value.split(":")[0]
    return statuses


def test_a_run_with_nothing_changed_builds_nothing(
    built_warehouse: Path, landing_dir: Path, tmp_path: Path
) -> None:
    db = _copy_build(built_warehouse, tmp_path / "again")
    result = build_warehouse(db, landing_dir)
    assert result.success, result.failures
    assert set(_entry_statuses(result).values()) == {"unchanged"}
    built = _materialized(result)
    assert not {k for k in built if k.startswith(("marts/", "intermediate/", "staging/"))}
    assert "serving/warehouse" not in built  # readers keep their build
    skipped = {e.step_key for e in result.events_of("STEP_SKIPPED")}
    assert "serving__warehouse" in skipped


def _older_ibit_export(landing_dir: Path, folder: Path) -> Path:
    """A copy of the landing folder whose IBIT export ends 30 sessions earlier."""
    shutil.copytree(landing_dir, folder)
    ibit = folder / "equities" / "adjclose_IBIT.csv"
    lines = ibit.read_text().splitlines(keepends=True)
    ibit.write_text("".join(lines[:-30]))
    return folder


def _columns(
    con: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str
) -> list[tuple[str, str]]:
    return [
        (name, dtype)
        for name, dtype in con.execute(
            "select column_name, data_type from duckdb_columns() where database_name = ? "
            "and schema_name = ? and table_name = ? order by column_index",
            [catalog, schema, table],
        ).fetchall()
        if name not in VOLATILE
    ]


def _frame(con: duckdb.DuckDBPyConnection, relation: str, columns: list[tuple[str, str]]):
    names = ", ".join(f'"{c}"' for c, _ in columns)
    return con.execute(f"select {names} from {relation} order by all").df()


def _mismatched_rows(a, b, columns: list[tuple[str, str]]) -> int:
    """Rows that differ: exactly for every column but doubles, to 1e-12 for those.

    DuckDB sums in parallel, so the last bit of a double can differ between two builds of the
    same inputs (full or not); 1e-12 is the project's standard for equal results.
    """
    if len(a) != len(b):
        return abs(len(a) - len(b)) or 1
    bad = np.zeros(len(a), dtype=bool)
    for name, dtype in columns:
        x, y = a[name].to_numpy(), b[name].to_numpy()
        if dtype in {"DOUBLE", "FLOAT"}:
            x, y = x.astype(float), y.astype(float)
            bad |= ~np.isclose(x, y, rtol=1e-12, atol=1e-12, equal_nan=True)
        else:  # dates, strings, lists, nulls: their text is what they hold
            bad |= a[name].astype(str).to_numpy() != b[name].astype(str).to_numpy()
    return int(bad.sum())


def _differences(incremental: Path, full: Path) -> dict[str, int]:
    """Rows that differ, per table.

    Staging views name the catalog they were built in, so they are compared through the
    published copies, where they are tables.
    """
    con = duckdb.connect()
    con.execute(f"attach '{incremental}' as inc (read_only)")
    con.execute(f"attach '{full}' as ful (read_only)")
    relations = con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = 'ful'"
    ).fetchall()
    differences = {}
    for schema, table in relations:
        if schema not in COMPARED_SCHEMAS or f"{schema}.{table}" in HISTORY_TABLES:
            continue
        columns = _columns(con, "ful", schema, table)
        a = _frame(con, f'inc."{schema}"."{table}"', columns)
        b = _frame(con, f'ful."{schema}"."{table}"', columns)
        differences[f"{schema}.{table}"] = _mismatched_rows(a, b, columns)
    con.close()
    return differences


def test_one_changed_file_rebuilds_its_part_and_equals_a_full_rebuild(
    built_warehouse: Path, landing_dir: Path, tmp_path: Path
) -> None:
    landing = _older_ibit_export(landing_dir, tmp_path / "landing")
    incremental_db = _copy_build(built_warehouse, tmp_path / "incremental")
    incremental = build_warehouse(incremental_db, landing)
    assert incremental.success, incremental.failures
    statuses = _entry_statuses(incremental)
    assert statuses["ibit"] == "loaded"
    assert {s for e, s in statuses.items() if e != "ibit"} == {"unchanged"}
    rebuilt = _rebuilt(incremental)
    assert "marts/fct_daily_prices" in rebuilt  # downstream of raw.daily_bars
    assert "marts/fct_hack_incident" not in rebuilt  # hack data did not change
    assert "marts/fct_hack_incident" in _materialized(incremental)  # ... and is current
    assert "serving/warehouse" in rebuilt

    full_db = tmp_path / "full" / built_warehouse.name
    full_db.parent.mkdir()
    full = build_warehouse(full_db, landing)
    assert full.success, full.failures

    differences = _differences(incremental_db, full_db)
    published = _differences(
        incremental_db.parent / "serving" / "warehouse.duckdb",
        full_db.parent / "serving" / "warehouse.duckdb",
    )
    assert "marts.fct_car" in differences and "intermediate.int_es_pairs" in differences
    assert "staging.stg_daily_bars" in published
    assert {t: n for t, n in differences.items() if n} == {}
    assert {t: n for t, n in published.items() if n} == {}
    with duckdb.connect(str(incremental_db), read_only=True) as con:
        last = con.execute(
            "select max(trade_date) from marts.fct_daily_prices where asset_id = 'ibit'"
        ).fetchone()[0]
    assert str(last) < "2026-07-01"  # the shorter export reached the marts

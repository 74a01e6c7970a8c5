"""Two builds of the warehouse compared table by table, to the project's standard for equal
results: every column exactly but doubles, those to 1e-12."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np

# Columns that say when a row was loaded or where its payload was archived, not what it holds.
VOLATILE = {"loaded_at", "loaded_at_utc", "received_at", "received_at_utc", "archive_path"}
COMPARED_SCHEMAS = ("raw", "staging", "intermediate", "marts")
# The log of every payload ever received: an incremental warehouse has also seen the old one.
HISTORY_TABLES = {"raw.payloads", "staging.stg_payloads"}


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


def differences(incremental: Path, full: Path) -> dict[str, int]:
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

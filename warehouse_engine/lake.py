"""Raw tables as Parquet in the lake folder (LAKE_DIR), for the Spark engine.

The ingest writes DuckDB's ``raw.*`` on both engines; on Spark every raw table is then copied to
``<LAKE_DIR>/raw/<table>/part-0.parquet`` (one folder per table, as Spark, Hive and Trino expect
a table location), and each folder is declared as the external table ``raw.<table>`` its dbt
source names (:func:`register_tables`, before dbt runs; on a cluster target the same is
``dbt run-operation register_lake_sources``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import duckdb

RAW_SCHEMA = "raw"
PART = "part-0.parquet"


def raw_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_schema = ? and table_type = 'BASE TABLE' order by 1",
        [RAW_SCHEMA],
    ).fetchall()
    return [r[0] for r in rows]


def _select_list(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """Every column, nanosecond timestamps as microseconds (Spark reads no TIMESTAMP(NANOS))."""
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [RAW_SCHEMA, table],
    ).fetchall()
    return ", ".join(
        f'cast("{name}" as timestamp) as "{name}"' if kind == "TIMESTAMP_NS" else f'"{name}"'
        for name, kind in columns
    )


def export_raw(con: duckdb.DuckDBPyConnection, lake_dir: Path) -> dict[str, int]:
    """Write every raw table to the lake; each file replaced in one rename. Rows per table."""
    counts: dict[str, int] = {}
    for table in raw_tables(con):
        folder = lake_dir / RAW_SCHEMA / table
        folder.mkdir(parents=True, exist_ok=True)
        # Spark skips files whose names start with '.': a reader never sees a half-written one.
        pending = folder / f".{PART}.pending"
        con.execute(
            f"copy (select {_select_list(con, table)} from {RAW_SCHEMA}.\"{table}\") to '{pending}' "
            "(format parquet, compression zstd)"
        )
        os.replace(pending, folder / PART)
        counts[table] = con.execute(f'select count(*) from {RAW_SCHEMA}."{table}"').fetchone()[0]
    return counts


def register_tables(spark: Any, lake_dir: Path) -> list[str]:
    """Declare every lake folder as the external table ``raw.<table>`` (dropping an external
    table leaves its files alone). The tables registered."""
    spark.sql(f"create schema if not exists {RAW_SCHEMA}")
    tables = []
    root = lake_dir / RAW_SCHEMA
    for folder in sorted(root.iterdir() if root.is_dir() else []):
        if (folder / PART).is_file():
            spark.sql(f"drop table if exists {RAW_SCHEMA}.{folder.name}")
            spark.sql(f"create table {RAW_SCHEMA}.{folder.name} using parquet location '{folder}'")
            tables.append(folder.name)
    return tables

"""The same dbt project on Apache Spark gives the DuckDB build's rows (WAREHOUSE_ENGINE=spark).

The DuckDB warehouse built once per session (``built_warehouse``: the real Dagster job) is copied,
and the same job's dbt step runs on it with WAREHOUSE_ENGINE=spark: raw tables exported to a lake
folder as Parquet, every portable model and its dbt tests built on a local Spark session
(local[2]), tables written as Parquet under a Spark warehouse folder. Every model Spark built is
then compared with DuckDB's, every row and every column: keys equal, numbers within 1e-9.

Java and pyspark are installed by make setup and .ci/run: when they are missing this fails.
"""

from __future__ import annotations

import json
import math
import shutil
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from ingest.config import REPO_ROOT

pytestmark = pytest.mark.e2e

TOLERANCE = 1e-9
MANIFEST = REPO_ROOT / "dbt_project" / "target" / "manifest.json"
LAYERS = ("staging", "intermediate", "marts")
# What must build on Spark at least (the rest of the portable set is found in the manifest).
REQUIRED = {
    "staging.stg_daily_bars",
    "staging.stg_trading_sessions",
    "staging.stg_hacks_defillama",
    "staging.stg_etf_flows",
    "intermediate.int_series_daily_prices",
    "intermediate.int_source_agreement",
    "marts.fct_daily_prices",
    "marts.fct_source_agreement",
    "marts.dim_asset",
    "marts.fct_fx_daily",
    "marts.fct_etf_flow_daily",
    "marts.fct_etf_flow_daily_total",
    "intermediate.int_hack_matches",
    "marts.fct_hack_incident",
    "marts.fct_hack_incident_records",
    "marts.fct_hack_monthly",
    "marts.fct_hack_reconciliation_report",
    "marts.dim_event",
    "marts.fct_abnormal_returns",
    "marts.fct_car",
    "marts.fct_event_model_fit",
    "marts.fct_event_overlaps",
    "marts.fct_event_study_exclusions",
    "marts.fct_event_study_summary",
    "marts.fct_event_etf_flows",
    "marts.fct_event_etf_flow_windows",
    "marts.fct_findings",
}


def _portable_models(manifest: dict) -> dict[str, dict]:
    """schema.name -> node of every model Spark must build: not tagged duckdb_only and not
    downstream of one (the Spark build excludes tag:duckdb_only+)."""
    nodes = manifest["nodes"]
    excluded: set[str] = set()
    todo = [uid for uid, n in nodes.items() if "duckdb_only" in n.get("tags", [])]
    while todo:
        uid = todo.pop()
        if uid in excluded:
            continue
        excluded.add(uid)
        todo.extend(manifest["child_map"].get(uid, []))
    return {
        f"{n['schema']}.{n['name']}": n
        for uid, n in nodes.items()
        if n["resource_type"] == "model"
        and uid not in excluded
        and n["schema"] in LAYERS
        # ephemeral on DuckDB (the findings_* parts of fct_findings): no relation to compare
        and n["config"]["materialized"] != "ephemeral"
    }


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            out[column] = values.dt.tz_convert("UTC").dt.tz_localize(None)
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].astype("datetime64[us]")
        elif values.dtype == object:
            out[column] = [
                tuple(v.tolist() if isinstance(v, np.ndarray) else v)
                if isinstance(v, list | np.ndarray)
                else v
                for v in values
            ]
    return out


def _is_float(series: pd.Series) -> bool:
    return pd.api.types.is_float_dtype(series)


def _differences(name: str, duck: pd.DataFrame, spark: pd.DataFrame, grain: list[str]) -> list:
    if sorted(duck.columns) != sorted(spark.columns):
        return [f"{name}: columns differ: {sorted(duck.columns)} vs {sorted(spark.columns)}"]
    if len(duck) != len(spark):
        return [f"{name}: {len(duck)} rows on DuckDB, {len(spark)} on Spark"]
    spark = spark[list(duck.columns)]
    duck, spark = _normalise(duck), _normalise(spark)
    keys = grain or [c for c in duck.columns if not _is_float(duck[c])]
    # Rows in one order on both sides: by the grain (or every non-float column), then by every
    # column (floats rounded well above the tolerance), all as text.
    order = keys + [c for c in duck.columns if c not in keys]

    def sort(frame: pd.DataFrame) -> pd.DataFrame:
        text = pd.DataFrame(
            {
                c: frame[c].round(6).astype(str) if _is_float(frame[c]) else frame[c].astype(str)
                for c in order
            }
        )
        return frame.loc[text.sort_values(order, kind="stable").index].reset_index(drop=True)

    duck, spark = sort(duck), sort(spark)
    problems = []
    for column in duck.columns:
        left, right = duck[column], spark[column]
        if _is_float(left) or _is_float(right):
            a = pd.to_numeric(left, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
            b = pd.to_numeric(right, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
            bad = ~np.isclose(a, b, rtol=TOLERANCE, atol=TOLERANCE, equal_nan=True)
        else:
            bad = np.array([not _same(x, y) for x, y in zip(left, right, strict=True)])
        if bad.any():
            i = int(np.argmax(bad))
            key = {k: duck.at[i, k] for k in keys[:4]}
            problems.append(
                f"{name}.{column}: {int(bad.sum())} rows differ, first at {key}: "
                f"DuckDB {left.iloc[i]!r}, Spark {right.iloc[i]!r}"
            )
    return problems


def _missing(value: object) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def _same(x: object, y: object) -> bool:
    if _missing(x) or _missing(y):
        return _missing(x) and _missing(y)
    return bool(x == y)


def test_portable_models_on_spark_equal_duckdb(built_warehouse: Path, tmp_path: Path) -> None:
    from tests.e2e_support import build_warehouse

    assert shutil.which("java"), "Java 17 is missing: .ci/run installs openjdk-17-jre-headless"
    import pyspark  # noqa: F401  (fails, not skips, when make setup did not install it)

    manifest = json.loads(MANIFEST.read_text())
    portable = _portable_models(manifest)
    assert set(portable) >= REQUIRED, f"not portable any more: {REQUIRED - set(portable)}"

    db_path = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse, db_path)
    lake, spark_dir = tmp_path / "lake", tmp_path / "spark-warehouse"
    dbt_keys = _dbt_asset_keys()
    started = time.monotonic()
    result = build_warehouse(
        db_path,
        tmp_path / "landing-unused",
        extra_env={
            "WAREHOUSE_ENGINE": "spark",
            "LAKE_DIR": str(lake),
            "SPARK_WAREHOUSE_DIR": str(spark_dir),
            # the marts' dbt tests on Spark; the rest ran on DuckDB's build of the same data,
            # whose rows Spark's are compared with below (ten minutes on two cores at most)
            "SPARK_DBT_TESTS": "marts",
        },
        asset_selection=dbt_keys,
    )
    seconds = time.monotonic() - started
    print(f"Spark build of {len(portable)} models and their tests: {seconds:.0f} s")
    assert not result.failures, f"Spark build failed: {result.failures}"
    # dbt tests of severity error (warn-only tests, such as stg_daily_bars_high_not_below_low,
    # warn on DuckDB too).
    failed = [
        e.event_specific_data.check_name
        for e in result.events_of("ASSET_CHECK_EVALUATION")
        if not e.event_specific_data.passed
        and getattr(e.event_specific_data.severity, "value", "ERROR") == "ERROR"
    ]
    assert not failed, f"dbt tests failed on Spark: {failed}"

    # Raw tables in the lake, marts in Spark's own layout: <schema>.db/<table>/*.parquet.
    assert (lake / "raw" / "daily_bars" / "part-0.parquet").is_file()
    built = {
        f"{schema_dir.name[:-3]}.{table.name}"
        for schema_dir in spark_dir.glob("*.db")
        for table in schema_dir.iterdir()
        if any(table.glob("*.parquet"))
    }
    assert set(portable) <= built, f"portable models Spark did not build: {set(portable) - built}"

    problems = []
    with duckdb.connect(str(db_path), read_only=True) as con:
        con.execute("set TimeZone = 'UTC'")
        for name, node in sorted(portable.items()):
            schema, table = name.split(".")
            duck = con.sql(f"select * from {schema}.{table}").df()
            spark = con.sql(
                f"select * from read_parquet('{spark_dir / (schema + '.db') / table}/*.parquet')"
            ).df()
            grain = node["config"].get("meta", {}).get("grain") or []
            problems += _differences(name, duck, spark, list(grain))
    assert not problems, "\n".join(problems)


def _dbt_asset_keys() -> list:
    from orchestration.dbt_assets import dbt_models

    return sorted(dbt_models.keys, key=lambda k: k.path)

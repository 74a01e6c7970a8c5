"""The event-study chain on Apache Spark (local[2]) against DuckDB, on the same synthetic pairs.

Usage: ``make bench-spark`` or ``uv run python -m bench.es_spark_bench [--events 1000]``.

1. Copies a built warehouse (``--warehouse``, default ``$WAREHOUSE_DB`` or ./warehouse.duckdb)
   and loads N seeded synthetic events and one study over every priced asset into the copy
   (the same inputs as ``bench.event_study_bench``: ``write_inputs`` / ``load_inputs``).
2. DuckDB: ``dbt run`` of the event-study models (staging, intermediate and marts of
   ``event_study``, fct_event_overlaps included) on the copy, in its own process.
3. Spark: the copy's raw tables to a lake folder as Parquet, the models upstream of the event
   study built on Spark first (untimed), then the same ``dbt run`` on a local Spark session
   (``python -m warehouse_engine.dbt_spark``), in its own process: the wall clock includes the
   JVM and session start, which is also timed alone.
4. fct_car and fct_event_study_summary of the two engines are compared (keys equal, numbers
   within 1e-9), and bench/results/event_study_spark.md is written. Speed is reported, never
   asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from bench.event_study_bench import (
    DBT_DIR,
    ENGINE_SELECTION,
    REPO_ROOT,
    STUDY_ID,
    TOLERANCE,
    BenchError,
    ProcessRun,
    busy_processes,
    copy_warehouse,
    default_warehouse,
    git_commit,
    load_inputs,
    measure,
    price_assets,
    write_inputs,
)
from warehouse_engine import dbt_duckdb

DEFAULT_OUTPUT = REPO_ROOT / "bench" / "results" / "event_study_spark.md"
COMPARED = {
    "fct_car": ["event_id", "asset_id", "window_start", "window_end"],
    "fct_event_study_summary": ["window_start", "window_end"],
}


def run_results(target: Path) -> tuple[float, list[tuple[str, float]]]:
    """dbt's elapsed time and (model, seconds), slowest first."""
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))
    times = [
        (r["unique_id"].split(".")[-1], float(r["execution_time"])) for r in results["results"]
    ]
    return float(results["elapsed_time"]), sorted(times, key=lambda t: t[1], reverse=True)


def dbt_args(workdir: Path, engine: str, args: list[str]) -> list[str]:
    return [
        *args,
        "--profiles-dir",
        str(DBT_DIR),
        "--target",
        engine,
        "--target-path",
        str(workdir / f"target-{engine}"),
        "--log-path",
        str(workdir / f"dbt-logs-{engine}"),
    ]


def spark_env(db: Path, workdir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "WAREHOUSE_DB": str(db),
        "DBT_PROJECT_DIR": str(DBT_DIR),
        "WAREHOUSE_ENGINE": "spark",
        "LAKE_DIR": str(workdir / "lake"),
        "SPARK_WAREHOUSE_DIR": str(workdir / "spark-warehouse"),
        "PYTHONPATH": str(REPO_ROOT),
    }


def run_duckdb(db: Path, workdir: Path) -> tuple[ProcessRun, float, list[tuple[str, float]]]:
    env = {
        **os.environ,
        "WAREHOUSE_DB": str(db),
        "DBT_PROJECT_DIR": str(DBT_DIR),
        "PYTHONPATH": str(REPO_ROOT),
    }
    cmd = [*dbt_duckdb.command(), *dbt_args(workdir, "duckdb", ["run", "-s", *ENGINE_SELECTION])]
    proc = measure(cmd, DBT_DIR, env, workdir / "duckdb.log")
    return (proc, *run_results(workdir / "target-duckdb"))


def session_start_seconds(env: dict[str, str], workdir: Path) -> float:
    """A JVM and a Spark session with the warehouse's settings and functions, alone."""
    code = (
        "import time; t = time.perf_counter()\n"
        "from warehouse_engine.spark_session import start_session\n"
        "start_session().sql('select 1').collect(); print(time.perf_counter() - t)\n"
    )
    proc = measure([sys.executable, "-c", code], REPO_ROOT, env, workdir / "session.log")
    return float(proc.stdout.strip().splitlines()[-1])


def run_spark(db: Path, workdir: Path) -> tuple[ProcessRun, float, list[tuple[str, float]], float]:
    from warehouse_engine.lake import export_raw

    env = spark_env(db, workdir)
    with duckdb.connect(str(db), read_only=True) as con:
        export_raw(con, workdir / "lake")
    module = [sys.executable, "-m", "warehouse_engine.dbt_spark"]
    # seeds and models upstream of the chain, no tests
    upstream = [
        "build",
        "-s",
        *(f"+{s}" for s in ENGINE_SELECTION),
        "--exclude",
        *ENGINE_SELECTION,
        "resource_type:test",
        "resource_type:unit_test",
    ]
    print("  Spark: models upstream of the event study (untimed) ...", flush=True)
    measure([*module, *dbt_args(workdir, "spark", upstream)], DBT_DIR, env, workdir / "up.log")
    print("  Spark: the event-study chain ...", flush=True)
    cmd = [*module, *dbt_args(workdir, "spark", ["run", "-s", *ENGINE_SELECTION])]
    proc = measure(cmd, DBT_DIR, env, workdir / "spark.log")
    elapsed, times = run_results(workdir / "target-spark")
    return proc, elapsed, times, session_start_seconds(env, workdir)


def compare(db: Path, workdir: Path) -> list[str]:
    """The two engines' marts for the bench study: keys equal, numbers within 1e-9."""
    problems = []
    with duckdb.connect(str(db), read_only=True) as con:
        for table, keys in COMPARED.items():
            where = f"where study_id = '{STUDY_ID}'"
            duck = con.sql(f"select * from marts.{table} {where}").df()
            path = workdir / "spark-warehouse" / "marts.db" / table
            spark = con.sql(f"select * from read_parquet('{path}/*.parquet') {where}").df()
            duck = duck.sort_values(keys, ignore_index=True)
            spark = spark[list(duck.columns)].sort_values(keys, ignore_index=True)
            if len(duck) != len(spark) or not duck[keys].equals(
                spark[keys].astype(duck[keys].dtypes)
            ):
                problems.append(f"{table}: keys differ ({len(duck)} vs {len(spark)} rows)")
                continue
            for column in duck.columns:
                if pd.api.types.is_float_dtype(duck[column]):
                    a = duck[column].to_numpy(dtype="float64", na_value=np.nan)
                    b = spark[column].to_numpy(dtype="float64", na_value=np.nan)
                    bad = ~np.isclose(a, b, rtol=TOLERANCE, atol=TOLERANCE, equal_nan=True)
                    if bad.any():
                        problems.append(f"{table}.{column}: {int(bad.sum())} rows differ")
    return problems


def pair_counts(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:

        def one(sql: str) -> int:
            return int(con.execute(sql, [STUDY_ID]).fetchone()[0])

        return {
            "candidate pairs": one(
                "select count(*) from intermediate.int_es_pairs where study_id = ?"
            ),
            "included pairs": one(
                "select count(*) from marts.fct_event_model_fit where study_id = ?"
            ),
            "CAR rows": one("select count(*) from marts.fct_car where study_id = ?"),
        }


def render(n: int, duck: tuple, spark: tuple, counts: dict, problems: list[str]) -> str:
    d_proc, d_elapsed, d_times = duck
    s_proc, s_elapsed, s_times, session_s = spark
    s_model = sum(t for _, t in s_times)
    floor = min(t for _, t in s_times)
    d_by = dict(d_times)
    lines = [
        "# Event-study chain: Spark local[2] against DuckDB",
        "",
        f"`python -m bench.es_spark_bench --events {n}` (`make bench-spark`), commit "
        f"{git_commit()}, {os.cpu_count()} CPUs; other processes busy then: {busy_processes()}.",
        f"Inputs: {n} synthetic events and one study over every priced asset (market model, "
        "estimation [-250, -11], windows [-1, 1], [0, 0], [0, 5]), the inputs of "
        "`bench.event_study_bench`; "
        + ", ".join(f"{v:,} {k}" for k, v in counts.items())
        + ". Both engines run the same dbt models (`dbt run` of the event-study folders, "
        f"{len(d_times)} models, fct_event_overlaps included), each in its own process.",
        "",
        "| | DuckDB | Spark local[2] |",
        "|---|---:|---:|",
        f"| process wall clock | {d_proc.wall_s:.1f} s | {s_proc.wall_s:.1f} s |",
        f"| dbt elapsed (after parse, start-up) | {d_elapsed:.1f} s | {s_elapsed:.1f} s |",
        f"| sum of model times | {sum(t for _, t in d_times):.1f} s | {s_model:.1f} s |",
        f"| peak memory of the process (JVM not included) | {d_proc.peak_mb:.0f} MB | "
        f"{s_proc.peak_mb:.0f} MB |",
        f"| JVM + Spark session start, alone | - | {session_s:.1f} s |",
        "",
        "Results: "
        + (
            "fct_car and fct_event_study_summary equal (keys, numbers within 1e-9)."
            if not problems
            else "DIFFER: " + "; ".join(problems)
        ),
        "",
        "Per model (seconds, Spark's slowest first):",
        "",
        "| model | DuckDB | Spark |",
        "|---|---:|---:|",
        *(f"| {m} | {d_by.get(m, float('nan')):.2f} | {t:.2f} |" for m, t in s_times),
        "",
        f"The smallest Spark model took {floor:.2f} s: the fixed cost of one dbt-spark model "
        "(planning, a job with its stages, the Parquet write and the Hive metastore's create "
        "and drop) whatever its size.",
        "",
        "## Where Spark's time goes on one machine",
        "",
        f"- JVM and session start: {session_s:.0f} s alone; the process also declares the lake's "
        "raw tables in the metastore and parses the project before the first model.",
        "- Per statement: every model is a job (planning, scheduling, a metastore create and "
        "drop), which is most of the small models' second or two; DuckDB needs milliseconds.",
        "- Shuffles: every join, window and aggregate on a new key is an exchange between two "
        "local tasks; the windows of int_es_estimation_sums_even and _odd (one per estimation "
        "window) and "
        "the ranks of int_es_day_sums_even and _odd sort the whole series again.",
        "- Parquet writes: the views of the DuckDB build (int_es_window_rows, "
        "fct_abnormal_returns: every pair and day) are tables on Spark, written and compressed "
        "in full, where DuckDB computes only the rows a reader asks for.",
        "",
        "## What a cluster would change",
        "",
        "The fixed costs stay (a session per run, a second or so per model: a cluster adds "
        "network round trips), but the work per pair spreads over executors: the pair-level "
        "models (fct_abnormal_returns, int_es_window_rows, int_es_unit_cars, fct_event_overlaps) "
        "grow with events x assets x days and parallelise by series, so Spark pays off once that "
        "outgrows one machine's memory or the data already live in a lake; at 1,000 events on "
        "two cores DuckDB is faster by an order of magnitude.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--warehouse", type=Path, default=default_warehouse())
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="es-spark-bench-"))
    try:
        db = copy_warehouse(args.warehouse, workdir)
        events, studies = write_inputs(workdir, args.events, price_assets(db), args.seed)
        load_inputs(db, events, studies)
        print(f"{args.events} events loaded into {db}; DuckDB ...", flush=True)
        duck = run_duckdb(db, workdir)
        counts = pair_counts(db)
        started = time.perf_counter()
        spark = run_spark(db, workdir)
        print(f"  Spark done in {time.perf_counter() - started:.0f} s", flush=True)
        text = render(args.events, duck, spark, counts, compare(db, workdir))
    except BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1
    finally:
        if not args.keep:
            subprocess.run(["rm", "-rf", str(workdir)], check=False)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

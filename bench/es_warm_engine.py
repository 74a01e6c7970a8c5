"""The event-study models run by a warm process: dbt's Python API with the manifest loaded once.

A long-lived process (a code server, a loop re-running a study as its files change) pays dbt's
start-up once: the imports, the parse and the first compile of the macros, and DuckDB's file
stays open with its cache (dbt-duckdb keeps the connection across invocations). This measures
that path on the same models and copy as the cold ``dbt run`` of ``bench.event_study_bench``,
which starts it: one untimed invocation first, then ``--repeat`` timed ones, each printed as
a JSON line ``{"wall_s": ..., "in_dbt_s": ...}``.

Usage: ``python -m bench.es_warm_engine --repeat N --paths '<json list>' -- <dbt run args>``
(run in dbt_project/ with WAREHOUSE_DB and DBT_PROJECT_DIR set, as the bench does).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from warehouse_engine import dbt_duckdb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--paths", required=True, help="dbt's path flags, a JSON list")
    parser.add_argument("run_args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    paths = json.loads(args.paths)
    run_args = [a for a in args.run_args if a != "--"] + paths

    dbt_duckdb.fingerprint_by_file_name()  # the saved parse of the copy's file name is reused
    from dbt.cli.main import dbtRunner

    parsed = dbtRunner().invoke(["parse", "--quiet", *paths])
    if not parsed.success:
        print(f"dbt parse failed: {parsed.exception}", file=sys.stderr)
        return 1
    runner = dbtRunner(manifest=parsed.result)
    for timed in [False] + [True] * args.repeat:
        started = time.perf_counter()
        done = runner.invoke(run_args)
        wall = time.perf_counter() - started
        if not done.success:
            print(f"dbt run failed: {done.exception or done.result}", file=sys.stderr)
            return 1
        if timed:
            print(json.dumps({"wall_s": wall, "in_dbt_s": done.result.elapsed_time}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

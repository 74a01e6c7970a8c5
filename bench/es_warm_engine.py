"""The event-study models run by a warm process: what `make study` runs, timed.

A long-lived process pays dbt's start-up once (the imports, the parse, the first compile of the
macros); ``warehouse_engine.warm_dbt.WarmDbt`` is that process's dbt, as ``make study`` uses it:
the project parsed once, each invocation on a fresh copy of the manifest, the warehouse file
closed again when it returns. This measures it on the same models and copy as the cold
``dbt run`` of ``bench.event_study_bench``, which starts it: one untimed invocation first (it
warms the caches a long-lived process has warm), then ``--repeat`` timed ones, each printed as
a JSON line ``{"wall_s": ..., "in_dbt_s": ...}``. With ``--turns`` it prints ``{"ready": true}``
after the untimed one and waits for a line on stdin before each timed one (and stops at the end
of stdin): the bench runs its NumPy peer in between, so that both sides of a ratio take turns
on the machine while this process keeps the steady state of a long loop.

Usage: ``python -m bench.es_warm_engine --repeat N [--turns] --profiles-dir D --target-path T
--log-path L -- <dbt run args>`` (with WAREHOUSE_DB and DBT_PROJECT_DIR set, as the bench does).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from warehouse_engine.warm_dbt import ProjectParseError, WarmDbt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--turns", action="store_true", help="each timed run on a line of stdin")
    parser.add_argument("--profiles-dir", type=Path, required=True)
    parser.add_argument("--target-path", type=Path, required=True)
    parser.add_argument("--log-path", type=Path, required=True)
    parser.add_argument("run_args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    run_args = [a for a in args.run_args if a != "--"]

    try:
        dbt = WarmDbt(
            Path(os.environ["DBT_PROJECT_DIR"]),
            args.target_path,
            args.log_path,
            env={},
            progress=lambda _line: None,
            profiles_dir=args.profiles_dir,
        )
    except ProjectParseError as exc:
        print(exc, file=sys.stderr)
        return 1
    for timed in [False] + [True] * args.repeat:
        if timed and args.turns and not sys.stdin.readline():
            return 0  # the bench has what it needs
        done = dbt.invoke(run_args)
        if not done.success:
            print(f"dbt run failed: {done.error or done.failed}", file=sys.stderr)
            return 1
        dbt.prepare()  # as make study does while it waits for the next change
        if timed:
            print(json.dumps({"wall_s": done.seconds, "in_dbt_s": done.dbt_seconds}), flush=True)
        elif args.turns:
            print(json.dumps({"ready": True}), flush=True)
    if args.turns:
        sys.stdin.read()  # exit (and its second of teardown) once the bench is done timing
    return 0


if __name__ == "__main__":
    sys.exit(main())

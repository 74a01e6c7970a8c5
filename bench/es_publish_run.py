"""The publish of the event-study benchmark's warehouse, timed in its own process: what readers
wait for after `make study` (or `make run`) has rebuilt the marts, at that study's size.

Usage (the benchmark runs it)::

    python -m bench.es_publish_run --db W --serving S --exports E

Publishes ``W`` as the pipeline does (``publishing.publish``: the read copy at ``S``, every table
of it as Parquet under ``E``), then prints a JSON line: ``seconds`` (the publish alone, without
the interpreter's start), ``tables``, ``rows``, ``serving_mb`` (the copy's size) and
``parquet_mb`` (the exports' size).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from publishing.publish import publish


def folder_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.resolve().rglob("*.parquet")) / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--serving", type=Path, required=True)
    parser.add_argument("--exports", type=Path, required=True)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    publication = publish(args.db, args.serving, args.exports, run_id="bench")
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": seconds,
                "tables": publication.tables,
                "rows": publication.rows,
                "serving_mb": args.serving.stat().st_size / 1e6,
                "parquet_mb": folder_mb(args.exports),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

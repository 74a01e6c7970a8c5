"""Latency of the README's example queries through the SQL endpoint, against DuckDB directly.

Usage: ``uv run python -m bench.endpoint_bench [--serving-db PATH] [--rounds 20]`` (after
``make run``, which publishes ``serving/warehouse.duckdb``).

1. Copies the published warehouse to a temporary folder (the original is only read) and starts
   the endpoint on it (``python -m endpoint``, a port the OS picks, a random password).
2. With 1 and then 20 concurrent clients (psycopg 3, one connection each), every client runs
   every README query ``--rounds`` times; each query's latency is recorded.
3. The same queries, clients and rounds directly on DuckDB (one read-only connection, one cursor
   per client thread) in the same run, for comparison.
4. Writes bench/results/endpoint.md (p50/p95 per query and setting, throughput) and prints it.

Speed is reported, never asserted.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import psycopg

from endpoint.launcher import start_endpoint, stop_endpoint_process
from ingest.config import REPO_ROOT, load_settings
from tests.endpoint.readme_queries import readme_queries

DEFAULT_OUTPUT = REPO_ROOT / "bench" / "results" / "endpoint.md"
CLIENT_COUNTS = (1, 20)


@dataclass
class Run:
    label: str  # "endpoint" or "duckdb"
    clients: int
    seconds: float
    latencies: dict[str, list[float]]  # query -> seconds, over every client and round

    @property
    def queries(self) -> int:
        return sum(len(v) for v in self.latencies.values())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def run_clients(
    label: str,
    clients: int,
    rounds: int,
    queries: list[str],
    make_runner: Callable[[], tuple[Callable[[str], object], Callable[[], None]]],
) -> Run:
    """``clients`` threads, each running every query ``rounds`` times through its own runner."""
    latencies: dict[str, list[float]] = {q: [] for q in queries}
    lock = threading.Lock()
    errors: list[BaseException] = []
    start = threading.Barrier(clients + 1)

    def client() -> None:
        run, close = make_runner()
        try:
            start.wait()
            mine: dict[str, list[float]] = {q: [] for q in queries}
            for _ in range(rounds):
                for query in queries:
                    began = time.perf_counter()
                    run(query)
                    mine[query].append(time.perf_counter() - began)
            with lock:
                for query, values in mine.items():
                    latencies[query].extend(values)
        except BaseException as error:  # reported after the run; a bench never hides failures
            errors.append(error)
        finally:
            close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{label} with {clients} clients failed: {errors[0]!r}")
    return Run(label, clients, time.perf_counter() - began, latencies)


def endpoint_runner(dsn: str):
    connection = psycopg.connect(dsn, autocommit=True)
    return (lambda query: connection.execute(query).fetchall()), connection.close


def duckdb_runner(con: duckdb.DuckDBPyConnection):
    cursor = con.cursor()
    return (lambda query: cursor.execute(query).fetchall()), cursor.close


def label_of(query: str) -> str:
    text = " ".join(query.split())
    where = text.lower().find(" from ")
    table = text[where + 6 :].split()[0] if where >= 0 else text[:30]
    return f"{table}: {text[:48]}…"


def render(runs: list[Run], queries: list[str], serving_db: Path, rounds: int) -> str:
    by_key = {(r.label, r.clients): r for r in runs}
    header = "| query | " + " | ".join(
        f"{label} ×{clients} p50 / p95 ms"
        for label in ("endpoint", "duckdb")
        for clients in CLIENT_COUNTS
    )
    lines = [
        "# SQL endpoint latency (README example queries)",
        "",
        f"- published copy: `{serving_db.name}` ({serving_db.stat().st_size / 1e6:.0f} MB), "
        f"{rounds} rounds per client, clients {', '.join(map(str, CLIENT_COUNTS))}",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, DuckDB {duckdb.__version__}",
        "- endpoint: psycopg 3 over 127.0.0.1, text results; duckdb: in-process cursors",
        "",
        header + " |",
        "|---|" + "---|" * (2 * len(CLIENT_COUNTS)),
    ]
    for query in queries:
        cells = []
        for label in ("endpoint", "duckdb"):
            for clients in CLIENT_COUNTS:
                values = by_key[(label, clients)].latencies[query]
                cells.append(
                    f"{percentile(values, 0.5) * 1e3:.1f} / {percentile(values, 0.95) * 1e3:.1f}"
                )
        lines.append(f"| {label_of(query)} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "| setting | queries | wall s | queries/s | overall p50 / p95 ms |",
        "|---|---|---|---|---|",
    ]
    for run in runs:
        every = [v for values in run.latencies.values() for v in values]
        lines.append(
            f"| {run.label} ×{run.clients} | {run.queries} | {run.seconds:.2f} | "
            f"{run.queries / run.seconds:.0f} | {statistics.median(every) * 1e3:.1f} / "
            f"{percentile(every, 0.95) * 1e3:.1f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serving-db", type=Path, default=load_settings().serving_db)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    if not args.serving_db.exists():
        print(
            f"error: no published warehouse at {args.serving_db}: run `make run` first",
            file=sys.stderr,
        )
        return 2
    queries = readme_queries()
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="endpoint-bench-") as folder:
        served = Path(folder) / "warehouse.duckdb"
        shutil.copyfile(args.serving_db, served)
        endpoint = start_endpoint(
            served, Path(folder), {"SERVE_PASSWORD": secrets.token_urlsafe(16)}
        )
        try:
            for clients in CLIENT_COUNTS:
                runs.append(
                    run_clients(
                        "endpoint",
                        clients,
                        args.rounds,
                        queries,
                        lambda: endpoint_runner(endpoint.dsn()),
                    )
                )
        finally:
            stop_endpoint_process(endpoint.process)
        with duckdb.connect(str(served), read_only=True) as con:
            for clients in CLIENT_COUNTS:
                runs.append(
                    run_clients("duckdb", clients, args.rounds, queries, lambda: duckdb_runner(con))
                )
    report = render(runs, queries, args.serving_db, args.rounds)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report, encoding="utf-8")
    print(report)
    print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Event-study marts at scale: thousands of synthetic events on every price asset.

Usage: ``make bench`` or ``uv run python -m bench.event_study_bench [--sizes 100 1000 3000]``.

1. Copies a built warehouse (``--warehouse``, default ``$WAREHOUSE_DB`` or ./warehouse.duckdb)
   to a temporary file; the original is only read.
2. Per size N: writes N seeded random events (instants over 2021-01-01..2025-06-30, a fifth of
   them date-only, most tied to a random asset) and one study over every asset with prices
   (market_model, estimation [-250, -11], windows [-1, 1], [0, 0], [0, 5]) as CSV/YAML, and loads
   them with ``ingest.event_config`` (EVENTS_FILE / STUDIES_FILE), replacing raw.* in the copy.
3. Times ``dbt run`` of the event-study marts and everything upstream (no tests) on the copy
   and reads dbt's run_results.json for the slowest models.
4. Writes bench/results/event_study.md and prints the same table.

Speed is reported, never asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_DIR = REPO_ROOT / "dbt_project"
DEFAULT_OUTPUT = REPO_ROOT / "bench" / "results" / "event_study.md"
DEFAULT_SIZES = (100, 1000, 3000)
SELECTION = "+fct_event_study_summary +fct_car +fct_abnormal_returns +fct_event_study_exclusions"
STUDY_ID = "bench_all_assets"
EVENT_TYPE = "bench"
START = dt.datetime(2021, 1, 1)
END = dt.datetime(2025, 7, 1)  # exclusive: last instant 2025-06-30T23:59Z
EVENT_TYPES_NOTE = "synthetic"


class BenchError(RuntimeError):
    """A precondition or a step failed; the message says what to do."""


@dataclass
class SizeResult:
    events: int
    assets: int
    pairs: int
    excluded: int
    ar_rows: int
    car_rows: int
    seconds: float
    dbt_model_seconds: float
    event_study_seconds: float
    slowest: list[tuple[str, float]] = field(default_factory=list)

    @property
    def rows_per_second(self) -> float:
        return self.ar_rows / self.seconds if self.seconds else 0.0


def default_warehouse() -> Path:
    value = os.environ.get("WAREHOUSE_DB")
    return Path(value).expanduser() if value else REPO_ROOT / "warehouse.duckdb"


def copy_warehouse(source: Path, workdir: Path) -> Path:
    if not source.is_file():
        raise BenchError(f"warehouse not found: {source}; run `make run` first")
    target = workdir / "warehouse.duckdb"
    shutil.copy2(source, target)
    wal = source.with_name(source.name + ".wal")
    if wal.is_file():
        shutil.copy2(wal, target.with_name(target.name + ".wal"))
    return target


def price_assets(db: Path) -> list[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [
            row[0]
            for row in con.execute(
                """
                select d.asset_id from marts.dim_asset as d
                where exists (select 1 from marts.fct_daily_prices as p where p.asset_id = d.asset_id)
                order by d.asset_id
                """
            ).fetchall()
        ]
    except duckdb.CatalogException as exc:
        raise BenchError(
            f"{db} lacks marts.dim_asset / marts.fct_daily_prices ({exc}); run `make run` first"
        ) from None
    finally:
        con.close()


def write_inputs(folder: Path, n_events: int, assets: list[str], seed: int) -> tuple[Path, Path]:
    """Seeded synthetic events CSV and a one-study YAML over ``assets``."""
    rng = random.Random(seed + n_events)
    span = int((END - START).total_seconds())
    lines = ["event_id,event_name,event_type,event_time,asset_id,amount_usd,source_url,notes"]
    for i in range(1, n_events + 1):
        instant = START + dt.timedelta(seconds=rng.randrange(span))
        if rng.random() < 0.2:
            when = instant.date().isoformat()
        else:
            when = instant.strftime("%Y-%m-%dT%H:%M:%SZ")
        asset = rng.choice(assets) if rng.random() < 0.7 else ""
        amount = f"{rng.lognormvariate(17, 1.5):.0f}" if rng.random() < 0.3 else ""
        lines.append(
            f"bench_{i:05d},Synthetic event {i},{EVENT_TYPE},{when},{asset},{amount},,{EVENT_TYPES_NOTE}"
        )
    events = folder / f"events_{n_events}.csv"
    events.write_text("\n".join(lines) + "\n", encoding="utf-8")
    study = {
        "id": STUDY_ID,
        "events": [{"event_type": EVENT_TYPE}],
        "assets": assets,
        "model": "market_model",
        "returns": "simple",
        "estimation_window": [-250, -11],
        "event_windows": [[-1, 1], [0, 0], [0, 5]],
        "anchor": "next",
        "min_estimation_days": 100,
    }
    studies = folder / f"studies_{n_events}.yml"
    studies.write_text(yaml.safe_dump([study], sort_keys=False), encoding="utf-8")
    return events, studies


def load_inputs(db: Path, events: Path, studies: Path) -> dict[str, int]:
    from ingest import event_config

    saved = {k: os.environ.get(k) for k in ("EVENTS_FILE", "STUDIES_FILE")}
    os.environ["EVENTS_FILE"], os.environ["STUDIES_FILE"] = str(events), str(studies)
    try:
        return event_config.load_event_config(db)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def dbt_executable() -> str:
    local = Path(sys.executable).parent / "dbt"
    return str(local) if local.is_file() else (shutil.which("dbt") or "dbt")


def run_dbt(args: list[str], db: Path, target_path: Path) -> float:
    env = {**os.environ, "WAREHOUSE_DB": str(db)}
    cmd = [dbt_executable(), *args, "--profiles-dir", ".", "--target-path", str(target_path)]
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=DBT_DIR, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-25:])
        raise BenchError(f"`{' '.join(cmd[:2])} ...` failed (exit {proc.returncode}):\n{tail}")
    return elapsed


def model_times(target_path: Path) -> list[tuple[str, str, float]]:
    """(model name, original path, seconds) from run_results.json, slowest first."""
    results = json.loads((target_path / "run_results.json").read_text(encoding="utf-8"))
    manifest = json.loads((target_path / "manifest.json").read_text(encoding="utf-8"))
    rows = []
    for res in results["results"]:
        node = manifest["nodes"].get(res["unique_id"], {})
        rows.append(
            (
                res["unique_id"].split(".")[-1],
                node.get("original_file_path", ""),
                float(res["execution_time"]),
            )
        )
    return sorted(rows, key=lambda r: r[2], reverse=True)


def counts(db: Path) -> tuple[int, int, int, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:

        def one(sql: str) -> int:
            return int(con.execute(sql, [STUDY_ID]).fetchone()[0])

        return (
            one("select count(*) from intermediate.int_es_pairs where study_id = ?"),
            one("select count(*) from marts.fct_event_study_exclusions where study_id = ?"),
            one("select count(*) from marts.fct_abnormal_returns where study_id = ?"),
            one("select count(*) from marts.fct_car where study_id = ?"),
        )
    finally:
        con.close()


def bench_size(n: int, db: Path, assets: list[str], workdir: Path, seed: int) -> SizeResult:
    events, studies = write_inputs(workdir, n, assets, seed)
    loaded = load_inputs(db, events, studies)
    if loaded["events"] != n:
        raise BenchError(f"loaded {loaded['events']} events, expected {n}")
    target = workdir / "target"
    seconds = run_dbt(["run", "-s", SELECTION, "--quiet"], db, target)
    times = model_times(target)
    pairs, excluded, ar_rows, car_rows = counts(db)
    return SizeResult(
        events=n,
        assets=len(assets),
        pairs=pairs,
        excluded=excluded,
        ar_rows=ar_rows,
        car_rows=car_rows,
        seconds=seconds,
        dbt_model_seconds=sum(t for _, _, t in times),
        event_study_seconds=sum(t for _, path, t in times if "/event_study/" in path),
        slowest=[(name, t) for name, _, t in times[:5]],
    )


def machine_info() -> dict[str, str]:
    from dbt.version import __version__ as dbt_version

    try:
        nproc = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        nproc = os.cpu_count() or 0
    return {
        "nproc": str(nproc),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "dbt-core": dbt_version,
        "platform": platform.platform(),
        "date (UTC)": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"),
    }


def render(results: list[SizeResult], info: dict[str, str], warehouse: Path, seed: int) -> str:
    head = (
        "| events | assets | pairs | excluded | AR rows | CAR rows | seconds | dbt model s "
        "| event-study model s | AR rows/s | slowest 5 models (s) |"
    )
    sep = "|" + "---:|" * 10 + "---|"
    rows = []
    for r in results:
        slowest = ", ".join(f"{name} {t:.2f}" for name, t in r.slowest)
        rows.append(
            f"| {r.events} | {r.assets} | {r.pairs} | {r.excluded} | {r.ar_rows} | {r.car_rows} "
            f"| {r.seconds:.1f} | {r.dbt_model_seconds:.1f} | {r.event_study_seconds:.1f} "
            f"| {r.rows_per_second:,.0f} | {slowest} |"
        )
    machine = "\n".join(f"- {k}: {v}" for k, v in info.items())
    return f"""# Event-study benchmark

`dbt run -s {SELECTION}` (models only, no tests) on a copy of `{warehouse}`, one study
(`market_model`, estimation [-250, -11], windows [-1, 1], [0, 0], [0, 5], catalog benchmarks)
over every asset with prices, N synthetic events (seed {seed}) over 2021-01-01..2025-06-30.
`seconds` is wall clock of the dbt process (parse, upstream price models included); `dbt model s`
sums model execution times from run_results.json, `event-study model s` those under
`models/*/event_study/`. Pairs = (event, asset) pairs; excluded = rows of
fct_event_study_exclusions (e.g. no benchmark, too little estimation data).
AR rows/s = abnormal-return rows / seconds.

{head}
{sep}
{chr(10).join(rows)}

Machine:
{machine}
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=default_warehouse())
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--seed", type=int, default=20250101)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    if any(n < 1 for n in args.sizes):
        parser.error("--sizes must be positive integers")

    workdir = Path(tempfile.mkdtemp(prefix="event_study_bench_"))
    try:
        db = copy_warehouse(args.warehouse.resolve(), workdir)
        assets = price_assets(db)
        if not assets:
            raise BenchError(f"{args.warehouse} has no priced assets; run `make run` first")
        print(f"copy: {db}; {len(assets)} priced assets; parsing dbt project ...", flush=True)
        run_dbt(["parse", "--quiet"], db, workdir / "target")  # untimed: fills partial parse
        results = []
        for n in args.sizes:
            print(f"{n} events ...", end=" ", flush=True)
            result = bench_size(n, db, assets, workdir, args.seed)
            print(f"{result.seconds:.1f} s, {result.ar_rows} abnormal-return rows", flush=True)
            results.append(result)
        report = render(results, machine_info(), args.warehouse.resolve(), args.seed)
    except BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report, encoding="utf-8")
    print()
    print(report)
    print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

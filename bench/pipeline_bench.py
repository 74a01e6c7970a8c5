"""How long `make run` takes: full, no-op, one changed file, and the same build launched as the
UI's run worker launches it, against the targets of the operations issue.

Usage: ``make bench`` (all benchmarks) or ``uv run python -m bench.pipeline_bench``.

Everything runs in a temporary folder (warehouse, published copy, Dagster home) from the landing
folder (``LANDING_DIR``, default ../shared/raw), offline, as `make run` does:

1. full: ``make run`` into an empty warehouse, the dbt manifest ready as ``make setup`` leaves it
   (parsed for this warehouse beforehand, untimed);
2. no-op: ``make run`` again, nothing changed;
3. one changed price file: a landing copy whose IBIT export ends 20 sessions earlier;
4. full with a cold ``dbt parse``: into another empty warehouse, the manifest removed first, so
   the parse ``make run`` does when the dbt project changed is counted;
5. launched as the UI launches it: ``dagster job execute`` of the same job in a new process
   (the run worker the UI starts), full build into another empty warehouse.

Wall times are reported in bench/results/pipeline.md, never asserted in tests.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ingest.config import warehouse_environment

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "bench" / "results" / "pipeline.md"
CHANGED_FILE = Path("equities") / "adjclose_IBIT.csv"
RUN_TIMEOUT_SECONDS = 1800


@dataclass(frozen=True)
class Timing:
    name: str
    seconds: float
    target: str
    summary: str


def _env(folder: Path, landing: Path) -> dict[str, str]:
    return {**os.environ, **warehouse_environment(folder / "warehouse.duckdb", landing)}


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.monotonic()
    out = subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_SECONDS
    )
    seconds = time.monotonic() - started
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({out.returncode}):\n{out.stderr[-3000:]}")
    return seconds, out.stdout


def _last_line(stdout: str, prefix: str) -> str:
    lines = [line for line in stdout.splitlines() if line.startswith(prefix)]
    return lines[-1] if lines else ""


def _make_run(folder: Path, landing: Path) -> tuple[float, str]:
    return _timed(["make", "--no-print-directory", "run"], _env(folder, landing))


def _shorter_export(landing: Path, folder: Path) -> Path:
    copy = folder / "landing"
    shutil.copytree(landing, copy)
    path = copy / CHANGED_FILE
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:-20]))
    return copy


def _make(target: str, folder: Path, landing: Path) -> tuple[float, str]:
    return _timed(["make", "--no-print-directory", target], _env(folder, landing))


def run(landing: Path) -> list[Timing]:
    manifest = REPO_ROOT / "dbt_project" / "target" / "manifest.json"
    timings = []
    with tempfile.TemporaryDirectory(prefix="pipeline-bench-") as tmp:
        folder = Path(tmp) / "warehouse"
        folder.mkdir()
        # As after `make setup`: the dbt manifest is ready (parsed for this warehouse).
        manifest.unlink(missing_ok=True)
        _make("manifest", folder, landing)
        seconds, out = _make_run(folder, landing)
        timings.append(
            Timing(
                "full make run (empty warehouse, manifest from make setup)",
                seconds,
                "<= 60 s",
                _last_line(out, "published"),
            )
        )
        full_seconds = seconds
        seconds, out = _make_run(folder, landing)
        timings.append(
            Timing(
                "no-op make run (nothing changed)",
                seconds,
                "<= 15 s",
                _last_line(out, "nothing changed"),
            )
        )
        changed = _shorter_export(landing, Path(tmp))
        seconds, out = _make_run(folder, changed)
        timings.append(
            Timing(
                f"one changed price file ({CHANGED_FILE})",
                seconds,
                "<= 30 s",
                _last_line(out, "catalog entries"),
            )
        )
        cold = Path(tmp) / "cold"
        cold.mkdir()
        manifest.unlink(missing_ok=True)  # a changed dbt project: make run parses it first
        seconds, out = _make_run(cold, landing)
        timings.append(
            Timing(
                "full make run (empty warehouse, cold dbt parse included)",
                seconds,
                "<= 60 s",
                _last_line(out, "published"),
            )
        )
        ui_folder = Path(tmp) / "ui"
        (ui_folder / ".dagster_home").mkdir(parents=True)
        shutil.copy(REPO_ROOT / "orchestration" / "dagster.yaml", ui_folder / ".dagster_home")
        command = [
            "uv",
            "run",
            "--frozen",
            "dagster",
            "job",
            "execute",
            "-m",
            "orchestration.definitions",
            "-j",
            "build_warehouse",
        ]
        seconds, _ = _timed(command, _env(ui_folder, landing))
        timings.append(
            Timing(
                "full build launched as the UI's run worker (dagster job execute)",
                seconds,
                f"<= 1.5x full make run ({1.5 * full_seconds:.0f} s)",
                "",
            )
        )
    return timings


def _load_average() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def _commit() -> str:
    out = subprocess.run(
        ["git", "rev-parse", "--short=12", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True
    )
    return out.stdout.strip() or "unknown"


def report(timings: list[Timing], output: Path) -> str:
    lines = [
        "# Pipeline timings",
        "",
        f"{os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}; offline from the landing folder; wall time of "
        "the whole command, Python start-up included.",
        "",
        "| run | seconds | target | what it said |",
        "|---|---:|---|---|",
    ]
    lines += [f"| {t.name} | {t.seconds:.1f} | {t.target} | {t.summary} |" for t in timings]
    lines += [
        "",
        f"Commit {_commit()}; load average (1/5/15 min) when the report was written: "
        f"{_load_average()}.",
    ]
    text = "\n".join(lines) + "\n"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args()
    landing = Path(os.environ.get("LANDING_DIR") or REPO_ROOT.parent / "shared" / "raw")
    print(report(run(landing), args.output))
    print(f"report: {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Helpers for the issue-8 tests: a small real catalog, `make run` as a real process, holders.

Every wait here is bounded: lines are read by a thread into a queue and awaited with a deadline,
child processes are waited for with timeouts, and whatever a run left behind (an orphaned dbt, a
`tail` of the compute logs) is found by its process group and killed by pid at the end.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import queue
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import dagster as dg
import duckdb

from ingest.config import REPO_ROOT, warehouse_environment
from orchestration.ingest_assets import POOL
from tests.e2e_support import SMALL_CATALOG

NVDA_FILE = "equities/yf_NVDA.csv"
NVDA_SOURCE = "nvda:yf_NVDA"
SMALL_FILES = ("equities/wsj_SPX.csv", NVDA_FILE, "equities/cboe_vix-daily.csv")
# NVDA's real close on the DeepSeek sell-off day (yf_NVDA.csv, 2025-01-27).
NVDA_CLOSE_2025_01_27 = 118.2434
NVDA_CLOSE_SQL = (
    "select close from marts.fct_daily_prices where asset_id = 'nvda' and trade_date = '2025-01-27'"
)

FIRST_STEP_SECONDS = 300.0  # imports, definitions and the dbt manifest before the first step
RUN_SECONDS = 900.0  # a whole small build, with margin for two busy shared cores
PROCESS_EXIT_SECONDS = 30.0
# dbt's own process as Dagster starts it: warehouse_engine/dbt-duckdb execs this module
DBT_BUILD_COMMAND = "warehouse_engine.dbt_duckdb build"

# `python -m orchestration.run`, except that dbt's log goes to the test's folder instead of
# overwriting the repository's logs/make_run.log (run.py has no setting for it).
RUN_MAIN = """
import sys
from pathlib import Path

import orchestration.run as run

run.LOG_FILE = Path(sys.argv[1])
raise SystemExit(run.main())
"""

# Holders wait on stdin, so the test decides when they let go (or kills them).
FLOCK_HOLDER = """
import sys
from pathlib import Path

from ingest.warehouse import writer_lock

with writer_lock(Path(sys.argv[1]), wait_seconds=0):
    print("holding", flush=True)
    sys.stdin.read()
"""
READER_HOLDER = """
import sys

import duckdb

con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "read_only")
print("holding", flush=True)
sys.stdin.read()
con.close()
"""

# Variables of the developer's shell that would change what a run does.
LEAKY_ENV = (
    "WRITER_WAIT_SECONDS",
    "EVENTS_FILE",
    "STUDIES_FILE",
    "ALLOW_SHRINK",
    "HACK_EVENT_MIN_USD",
    "DBT_TARGET_PATH",
)


@dataclass(frozen=True)
class Workspace:
    """Every path a run writes, in one temporary folder, plus a Dagster home with our yaml."""

    root: Path
    landing_dir: Path

    @property
    def series_file(self) -> Path:
        return self.root / "series.yml"

    @property
    def warehouse_db(self) -> Path:
        return self.root / "warehouse.duckdb"

    def _beside(self, name: str) -> Path:
        """Where ``warehouse_environment`` puts the file or folder ``name`` of this build."""
        return Path(warehouse_environment(self.warehouse_db, self.landing_dir)[name])

    @property
    def dagster_home(self) -> Path:
        return self._beside("DAGSTER_HOME")

    @property
    def serving_db(self) -> Path:
        return self._beside("SERVING_DB")

    @property
    def export_dir(self) -> Path:
        return self._beside("EXPORT_DIR")

    @property
    def archive_dir(self) -> Path:
        return self._beside("ARCHIVE_DIR")

    @property
    def log_file(self) -> Path:
        return self.root / "make_run.log"

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in LEAKY_ENV}
        env.update(warehouse_environment(self.warehouse_db, self.landing_dir))
        env.update(SERIES_FILE=str(self.series_file), PYTHONUNBUFFERED="1")
        env.update(extra)
        return env


def make_workspace(root: Path, real_landing: Path, private_landing: bool = False) -> Workspace:
    """The small catalog over the real files, or over private copies the test may break."""
    landing = real_landing
    if private_landing:
        landing = root / "landing"
        for relative in SMALL_FILES:
            (landing / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(real_landing / relative, landing / relative)
    ws = Workspace(root, landing)
    ws.series_file.write_text(SMALL_CATALOG)
    ws.dagster_home.mkdir(parents=True)
    # What `make dagster-home` does: the instance settings of orchestration/dagster.yaml.
    shutil.copy(REPO_ROOT / "orchestration" / "dagster.yaml", ws.dagster_home / "dagster.yaml")
    return ws


def block_archiving(ws: Workspace, relative: str) -> Path:
    """Make the ingest step of ``relative`` stop inside its step, holding its pool slot.

    ingest/archive.py writes a new payload to ``<sha256>.tmp`` before renaming it; a FIFO at
    that path blocks the step's open() until someone reads it, which nobody does. This pins
    the kill to one known step without relying on how long steps take.
    """
    digest = hashlib.sha256((ws.landing_dir / relative).read_bytes()).hexdigest()
    fifo = ws.archive_dir / digest[:2] / f"{digest}.tmp"
    fifo.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(fifo)
    return fifo


class MakeRun:
    """``make run`` (``orchestration.run.main``) as a child process in its own process group."""

    def __init__(self, ws: Workspace, **extra_env: str) -> None:
        self.proc = subprocess.Popen(
            self.command(ws),
            cwd=REPO_ROOT,
            env=ws.env(**extra_env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            # Its own group: whatever it leaves running after a kill can be found and ended.
            start_new_session=True,
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._eof = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def command(self, ws: Workspace) -> list[str]:
        return [sys.executable, "-c", RUN_MAIN, str(ws.log_file)]

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def _next_line(self, deadline: float) -> str | None:
        """The next line, None at end of output; raises TimeoutError at the deadline."""
        while not self._eof:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            try:
                line = self._queue.get(timeout=min(remaining, 1.0))
            except queue.Empty:
                continue
            if line is None:
                self._eof = True
                return None
            self.lines.append(line)
            return line
        return None

    def wait_for(self, text: str, timeout: float) -> str:
        """The first line (from now on) that contains ``text``."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._next_line(deadline)
            except TimeoutError:
                raise AssertionError(
                    f"no line with {text!r} within {timeout:.0f}s; output:\n{self.output}"
                ) from None
            if line is None:
                raise AssertionError(
                    f"the run ended (exit {self.proc.poll()}) without a line with {text!r}; "
                    f"output:\n{self.output}"
                )
            if text in line:
                return line

    def finish(self, timeout: float = RUN_SECONDS) -> int:
        """Wait for the run to exit and for all its output; return its exit code."""
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"the run did not exit within {timeout:.0f}s; output:\n{self.output}"
            ) from None
        deadline = time.monotonic() + PROCESS_EXIT_SECONDS
        with contextlib.suppress(TimeoutError):
            while self._next_line(deadline) is not None:
                pass
        return code

    def kill(self) -> None:
        """kill -9 of the run's own process (not its group: a child it started may live on)."""
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=PROCESS_EXIT_SECONDS)

    def children(self, command_part: str) -> list[int]:
        """Pids of this run's process group whose command line contains ``command_part``."""
        return [pid for pid in group_members(self.proc.pid) if command_part in cmdline(pid)]

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def __enter__(self) -> MakeRun:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=PROCESS_EXIT_SECONDS)
        for pid in group_members(self.proc.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)  # also ends a stopped one
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self._reader.join(timeout=PROCESS_EXIT_SECONDS)


def live_processes() -> Iterator[tuple[int, list[str]]]:
    """(pid, the fields of /proc/<pid>/stat after its command name) of every live process,
    zombies and vanished ones left out: fields[1] is the parent pid, fields[2] the group."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z":
            yield int(entry.name), fields


def group_members(pgid: int) -> list[int]:
    """Live processes of process group ``pgid``."""
    return [pid for pid, fields in live_processes() if int(fields[2]) == pgid]


def cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def process_exists(pid: int) -> bool:
    """True while ``pid`` runs (or is stopped); False once it is gone or a zombie."""
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@contextlib.contextmanager
def holding(code: str, *args: str) -> Iterator[subprocess.Popen[str]]:
    """A helper process that takes something (a lock, a connection) and keeps it until the block
    ends (its stdin is closed) or the test kills it."""
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=REPO_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        ready, _, _ = select.select([proc.stdout], [], [], FIRST_STEP_SECONDS)
        assert ready, "the holder process did not start in time"
        assert proc.stdout.readline().strip() == "holding", "the holder process failed to start"
        yield proc
    finally:
        with contextlib.suppress(OSError):
            proc.stdin.close()
        try:
            proc.wait(timeout=PROCESS_EXIT_SECONDS)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=PROCESS_EXIT_SECONDS)
        proc.stdout.close()


@contextlib.contextmanager
def instance_at(dagster_home: Path) -> Iterator[dg.DagsterInstance]:
    """The Dagster instance a run with this DAGSTER_HOME used (its sqlite run storage)."""
    # The event log of dagster.yaml finds its files under $DAGSTER_HOME, as in make's processes.
    with (
        mock.patch.dict(os.environ, {"DAGSTER_HOME": str(dagster_home)}),
        dg.DagsterInstance.from_config(str(dagster_home)) as instance,
    ):
        yield instance


def claimed_slots(instance: dg.DagsterInstance) -> list[tuple[str, str]]:
    """(run id, step key) of every claimed slot of the warehouse writer pool."""
    info = instance.event_log_storage.get_concurrency_info(POOL)
    return [(slot.run_id, slot.step_key) for slot in info.claimed_slots]


def scalar(db: Path, sql: str, params: list | None = None):
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(sql, params or []).fetchone()
    return row[0] if row else None

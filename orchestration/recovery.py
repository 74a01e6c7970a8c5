"""Recovery of the warehouse writer slot (Dagster pool ``warehouse``) after a crash.

Dagster keeps pool slots in its run storage, so a run killed with SIGKILL never gives its slot
back and every later run waits for it forever. Every run started by ``make run`` is tagged with
its process (pid, host, the process's start time, so a reused pid is not mistaken for it). Before
a run, and while it waits, ``SlotGuard`` frees the slots of runs whose process is gone (or that
already ended) and marks such runs failed, saying so; a live holder is waited for with a line
every few seconds, up to ``WRITER_WAIT_SECONDS``.
"""

from __future__ import annotations

import _thread
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import dagster as dg
from dagster._core.storage.dagster_run import DagsterRunStatus

from ingest.warehouse import wait_seconds_setting
from orchestration.processes import pid_running, start_ticks

PID_TAG = "warehouse/pid"
HOST_TAG = "warehouse/host"
STARTED_TAG = "warehouse/process_started"
REPORT_EVERY_SECONDS = 5.0
FINISHED = {DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED}


class WriterSlotTimeout(Exception):
    """A live run kept the writer slot longer than WRITER_WAIT_SECONDS."""


def process_tags() -> dict[str, str]:
    """Tags that identify this process on a run, so a later run can tell whether it died."""
    pid = os.getpid()
    return {
        PID_TAG: str(pid),
        HOST_TAG: socket.gethostname(),
        STARTED_TAG: start_ticks(pid) or "",
    }


def process_alive(tags: dict[str, str]) -> bool | None:
    """True/False for a run started by make run on this host; None when it can't be told."""
    if PID_TAG not in tags or tags.get(HOST_TAG) != socket.gethostname():
        return None
    pid = int(tags[PID_TAG])
    if not pid_running(pid):
        return False
    started = tags.get(STARTED_TAG)
    return not started or start_ticks(pid) == started


@dataclass(frozen=True)
class Holder:
    run_id: str
    step_key: str
    alive: bool | None  # None: not started by make run here (e.g. the UI): can't be told

    def describe(self) -> str:
        origin = "launched from the UI or another host" if self.alive is None else "make run"
        return f"run {self.run_id[:8]} ({origin}, step {self.step_key})"


class SlotGuard:
    """Frees slots held by dead runs and waits (with progress) for live ones."""

    def __init__(
        self, instance: dg.DagsterInstance, pool: str, out: Callable[[str], None] = print
    ) -> None:
        self.instance = instance
        self.pool = pool
        self.out = out

    def holders(self, exclude_run_id: str | None = None) -> list[Holder]:
        info = self.instance.event_log_storage.get_concurrency_info(self.pool)
        entries = [(s.run_id, s.step_key) for s in info.claimed_slots]
        entries += [(p.run_id, p.step_key) for p in info.pending_steps]
        holders = []
        for run_id, step_key in dict.fromkeys(entries):
            if run_id == exclude_run_id:
                continue
            run = self.instance.get_run_by_id(run_id)
            if run is None or run.status in FINISHED:
                alive: bool | None = False
            else:
                alive = process_alive(dict(run.tags))
            holders.append(Holder(run_id, step_key, alive))
        return holders

    def reclaim_dead(self, exclude_run_id: str | None = None) -> list[str]:
        """Free the slots of runs whose process is gone; return what was done, one line each."""
        done = []
        dead_runs = {h.run_id for h in self.holders(exclude_run_id) if h.alive is False}
        for run_id in sorted(dead_runs):
            run = self.instance.get_run_by_id(run_id)
            self.instance.event_log_storage.free_concurrency_slots_for_run(run_id)
            if run is not None and run.status not in FINISHED:
                pid = run.tags.get(PID_TAG, "?")
                self.instance.report_run_failed(
                    run,
                    message=f"The process of this run (pid {pid}) no longer exists; a later "
                    "make run marked it failed and took over its warehouse writer slot.",
                )
                done.append(
                    f"recovered: run {run_id[:8]} (pid {pid}) died holding the warehouse writer "
                    "slot; marked it failed and took the slot over"
                )
            else:
                done.append(f"recovered: freed a writer slot left by finished run {run_id[:8]}")
        return done

    def wait_until_free(self, timeout: float | None = None) -> None:
        """Before a run: reclaim dead holders, then wait for live ones, printing who and how long."""
        timeout = wait_seconds_setting() if timeout is None else timeout
        started = time.monotonic()
        last_report = started - REPORT_EVERY_SECONDS
        while True:
            for line in self.reclaim_dead():
                self.out(line)
            live = self.holders()
            if not live:
                return
            waited = time.monotonic() - started
            if waited >= timeout:
                raise WriterSlotTimeout(
                    f"gave up after {waited:.0f}s waiting for the warehouse writer slot held by "
                    f"{live[0].describe()} (WRITER_WAIT_SECONDS={timeout:g}); let it finish, or "
                    "cancel it in the Dagster UI (make ui, Runs)"
                )
            if time.monotonic() - last_report >= REPORT_EVERY_SECONDS:
                self.out(
                    f"waiting for the warehouse writer slot, held by {live[0].describe()}, "
                    f"for {waited:.0f}s (giving up after {timeout:g}s)"
                )
                last_report = time.monotonic()
            time.sleep(0.5)


class RunWatchdog:
    """While a run executes: says when one of its steps waits for the writer slot, reclaims the
    slot if its holder dies, and interrupts the run after WRITER_WAIT_SECONDS of waiting."""

    def __init__(self, guard: SlotGuard, run_id: str, timeout: float | None = None) -> None:
        self.guard = guard
        self.run_id = run_id
        self.timeout = wait_seconds_setting() if timeout is None else timeout
        self.timed_out: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._watch, name="writer-slot-watchdog", daemon=True
        )

    def __enter__(self) -> RunWatchdog:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=REPORT_EVERY_SECONDS * 2)

    def _blocked_step(self) -> str | None:
        info = self.guard.instance.event_log_storage.get_concurrency_info(self.guard.pool)
        for pending in info.pending_steps:
            if pending.run_id == self.run_id and pending.assigned_timestamp is None:
                return pending.step_key
        return None

    def _watch(self) -> None:
        blocked_since: float | None = None
        while not self._stop.wait(REPORT_EVERY_SECONDS):
            try:
                step = self._blocked_step()
                if step is None:
                    blocked_since = None
                    continue
                for line in self.guard.reclaim_dead(exclude_run_id=self.run_id):
                    self.guard.out(line)
                blocked_since = blocked_since or time.monotonic()
                waited = time.monotonic() - blocked_since
                holders = self.guard.holders(exclude_run_id=self.run_id)
                who = holders[0].describe() if holders else "another run"
                if waited >= self.timeout:
                    self.timed_out = (
                        f"step {step} waited {waited:.0f}s for the warehouse writer slot held by "
                        f"{who} (WRITER_WAIT_SECONDS={self.timeout:g})"
                    )
                    _thread.interrupt_main()
                    return
                self.guard.out(
                    f"step {step} is waiting for the writer slot, held by {who} ({waited:.0f}s)"
                )
            except Exception as exc:  # noqa: BLE001 - the watchdog must never break the run
                self.guard.out(f"(writer-slot watchdog: {exc})")

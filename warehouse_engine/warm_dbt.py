"""dbt on DuckDB in this process, parsed once: what a long-lived loop (``make study``) runs.

A dbt process pays its start-up on every build (imports, reading the manifest, the first compile
of the macros: about 3.5 s on two cores); ``WarmDbt`` pays it once and keeps dbt's parsed project
in memory. Between invocations it closes dbt-duckdb's kept-open connection (profiles.yml
``keep_open``), so the warehouse file is free for ``make run`` while the loop waits.
"""

from __future__ import annotations

import copyreg
import dataclasses
import gc
import io
import os
import pickle
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warehouse_engine import dbt_duckdb

# dbt's node statuses after a build that make it unfit to publish (warn is fine).
FAILED = frozenset({"error", "fail", "runtime error"})
PROGRESS_EVERY_SECONDS = 5.0
PROJECT_FOLDERS = ("models", "macros", "seeds", "tests")
PROJECT_FILES = ("dbt_project.yml", "profiles.yml")
# dbt's events that carry a node's result: kept, as dbt's JSON log would write them, for whoever
# reports the build elsewhere (orchestration/study_dagster.py: Dagster's asset events)
RESULT_EVENTS = frozenset({"LogModelResult", "LogSeedResult", "LogSnapshotResult", "LogTestResult"})


class ProjectParseError(Exception):
    """dbt could not parse the project (a model being edited, say): nothing was run."""


@dataclass(frozen=True)
class NodeResult:
    unique_id: str
    resource_type: str
    status: str
    message: str


@dataclass(frozen=True)
class Invocation:
    success: bool
    seconds: float
    nodes: list[NodeResult] = field(default_factory=list)
    error: str = ""
    dbt_seconds: float = 0.0  # dbt's own elapsed time (its nodes, without the set-up around)
    result_events: list[dict[str, Any]] = field(default_factory=list)  # {"info":, "data":}

    def count(self, resource_type: str) -> int:
        return sum(1 for n in self.nodes if n.resource_type == resource_type)

    @property
    def failed(self) -> list[NodeResult]:
        return [n for n in self.nodes if n.status in FAILED]

    @property
    def warned(self) -> list[NodeResult]:
        return [n for n in self.nodes if n.status == "warn"]


class WarmDbt:
    """dbtRunner over the project with its manifest parsed once (in ``target_path``)."""

    def __init__(
        self,
        project_dir: Path,
        target_path: Path,
        log_path: Path,
        env: dict[str, str],
        progress: Callable[[str], None] = print,
        profiles_dir: Path | None = None,
    ) -> None:
        os.environ.update(env)  # profiles.yml reads WAREHOUSE_DB etc. from this process
        self.progress = progress
        self.target_path = target_path
        self._flags = [
            "--project-dir", str(project_dir),
            "--profiles-dir", str(profiles_dir or project_dir),
            "--target-path", str(target_path),
            "--log-path", str(log_path),
            "--log-level", "none",  # the caller reports; dbt's lines go to its log file:
            "--log-level-file", "info",  # each node's start, result and error (its SQL: target/)
        ]  # fmt: skip
        self.project_dir = project_dir
        self._seed_partial_parse(project_dir / "target", target_path)
        dbt_duckdb.fingerprint_by_file_name()
        self._manifest = b""
        self._next_manifest: Any = None  # the next invocation's copy, made ahead by prepare()
        self._project_files: dict[Path, float] = {}
        self.parse_if_changed()
        self._done = 0
        self._last_report = 0.0
        self._started = 0.0
        self._result_events: list[dict[str, Any]] = []

    def _files(self) -> dict[Path, float]:
        """Modification times of what dbt parses (the files `make manifest` watches)."""
        found = {
            path: path.stat().st_mtime
            for folder in PROJECT_FOLDERS
            for path in (self.project_dir / folder).rglob("*")
            if path.is_file()
        }
        for name in PROJECT_FILES:
            found[self.project_dir / name] = (self.project_dir / name).stat().st_mtime
        return found

    def parse_if_changed(self) -> bool:
        """Parse the project (again) when one of its files changed since the last parse: the
        loop never builds SQL older than what is on disk. True when it parsed."""
        files = self._files()
        if files == self._project_files:
            return False
        from dbt.cli.main import dbtRunner

        parsed = dbtRunner().invoke(["parse", *self._flags])
        if isinstance(parsed.exception, KeyboardInterrupt):
            raise parsed.exception  # dbtRunner returns it: Ctrl-C must stop the caller too
        if not parsed.success:
            raise ProjectParseError(f"dbt parse failed: {parsed.exception or parsed.result}")
        # dbt marks the nodes it compiled in the manifest it runs on (ephemeral models' CTEs
        # "injected"), and a second run on the same object leaves them out of the SQL; each
        # invocation gets a fresh copy (0.2 s, against ~3.5 s for a new dbt process).
        self._manifest = _pickled_manifest(parsed.result)
        self._next_manifest = None
        self._project_files = files
        return True

    def prepare(self) -> None:
        """Make the next invocation's copy of the manifest now: a loop calls this while it waits
        for a change, and the next build starts 0.2 s sooner. The last build's garbage is
        collected here too, and what is alive then (the parsed project, the copy) is frozen out
        of the collector's later passes: a full collection during a build walks every object of
        the project's copy, 0.3 s holding the GIL, every other build."""
        if self._next_manifest is None:
            gc.unfreeze()
            gc.collect()
            self._next_manifest = pickle.loads(self._manifest)
            gc.freeze()

    @property
    def manifest_path(self) -> Path:
        return self.target_path / "manifest.json"

    @staticmethod
    def _seed_partial_parse(setup_target: Path, target_path: Path) -> None:
        """Start from the parse `make setup` saved: a first parse here would take ~9 s."""
        saved = setup_target / "partial_parse.msgpack"
        mine = target_path / "partial_parse.msgpack"
        if saved.exists() and not mine.exists():
            target_path.mkdir(parents=True, exist_ok=True)
            shutil.copy2(saved, mine)

    def _on_event(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.info.name in RESULT_EVENTS:
            from dbt_common.events.functions import msg_to_dict

            self._result_events.append(msg_to_dict(event))
        if event.info.name != "NodeFinished":
            return
        self._done += 1
        now = time.monotonic()
        if now - self._last_report >= PROGRESS_EVERY_SECONDS:
            self._last_report = now
            node = event.data.node_info
            self.progress(
                f"  [{now - self._started:5.1f}s] {self._done} dbt nodes done (last {node.node_name})"
            )

    def invoke(self, args: list[str]) -> Invocation:
        """One dbt command; the warehouse file is closed again when it returns."""
        self._done = 0
        self._result_events = []
        self._started = self._last_report = time.monotonic()
        try:
            from dbt.cli.main import dbtRunner

            if self._next_manifest is None:  # no prepare() since the last build
                self._next_manifest = pickle.loads(self._manifest)
            manifest, self._next_manifest = self._next_manifest, None
            runner = dbtRunner(manifest=manifest, callbacks=[self._on_event])
            # no manifest.json and run_results.json (0.4 s a build): the manifest is the parse's,
            # unchanged, and the caller gets the results from here
            result = runner.invoke([*args, *self._flags, "--no-write-json"])
        finally:
            release_duckdb()
        if isinstance(result.exception, KeyboardInterrupt):
            raise result.exception  # dbtRunner returns it: Ctrl-C must stop the caller too
        seconds = time.monotonic() - self._started
        nodes = [
            NodeResult(
                r.node.unique_id,
                r.node.resource_type,
                str(getattr(r.status, "value", r.status)),
                r.message or "",
            )
            for r in getattr(result.result, "results", None) or []
        ]
        error = "" if result.exception is None else str(result.exception)
        dbt_seconds = float(getattr(result.result, "elapsed_time", 0.0) or 0.0)
        return Invocation(result.success, seconds, nodes, error, dbt_seconds, self._result_events)


def _manifest_from_fields(fields: dict[str, Any]) -> Any:
    from dbt.contracts.graph.manifest import Manifest

    return Manifest(**fields)


def _reduce_manifest(manifest: Any) -> tuple[Any, tuple[dict[str, Any]]]:
    """The manifest's fields by name, its caches left to be rebuilt on first use.

    dbt-core's own ``Manifest.__reduce_ex__`` passes the fields by position and leaves two out
    (``fixtures``, ``_saved_query_lookup``), so a copy has the fields after them one place off:
    harmless while the lookups are unbuilt, but after a partial parse from the saved parse (a
    macro edited since) the copy's source lookup is the ref lookup and every ``source()`` fails
    ("RefableLookup.find() missing 1 required positional argument: 'manifest'").
    """
    fields = {
        f.name: getattr(manifest, f.name)
        for f in dataclasses.fields(manifest)
        if not f.name.startswith("_")  # lookups, lock, parsing state: rebuilt or fresh
    }
    return _manifest_from_fields, (fields,)


def _pickled_manifest(manifest: Any) -> bytes:
    from dbt.contracts.graph.manifest import Manifest

    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, Manifest: _reduce_manifest}
    pickler.dump(manifest)
    return buffer.getvalue()


def release_duckdb() -> None:
    """Close the connection dbt-duckdb keeps open across a process's invocations."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        env = DuckDBConnectionManager._ENV
        DuckDBConnectionManager._ENV = None
        if env is not None:
            env.close()

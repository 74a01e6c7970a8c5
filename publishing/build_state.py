"""What the warehouse was built from, and what dbt has to rebuild: only the models downstream
of raw tables whose content changed.

After every successful dbt build the content fingerprint of each raw table (row count and an
order-free sum of row hashes, ignoring the ``loaded_at`` bookkeeping column) and a fingerprint of
the dbt project itself (every node's checksum and configuration, the macros, dbt_project.yml,
the env vars the SQL reads) are saved in the private ``meta.dbt_build_state``. The next build
compares: a changed project (or FULL=1) rebuilds everything; otherwise the changed raw tables
select ``source:raw.<table>+``; nothing changed builds nothing. dbt models are functions of their
inputs, so this always equals a full rebuild (tests/orchestration compare the two table by table).

`make study` goes one step further: a view is its SQL, which an unchanged project leaves as it
is, so its refreshes keep the warehouse's views and rebuild only the tables under them
(``dbt_args(..., reuse_views=True)``); the views' data tests still run.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingest.config import REPO_ROOT, env_value
from publishing.sql import quote

STATE_TABLE = "meta.dbt_build_state"
# dbt's views name the catalog they read (the file's name): a renamed file needs a full build.
DATABASE_KEY = "(database name)"
DBT_PROJECT_FILE = REPO_ROOT / "dbt_project" / "dbt_project.yml"
# Environment variables the dbt SQL reads (dbt_project.yml vars default to them).
DBT_ENV_INPUTS = ("HACK_EVENT_MIN_USD",)
VIEW_MODELS = "config.materialized:view"  # dbt's selector of every view model


@dataclass(frozen=True)
class BuildPlan:
    full: bool
    changed_tables: list[str] = field(default_factory=list)
    reason: str = ""
    views: frozenset[str] = frozenset()  # the warehouse's views (schema.name) when planned

    @property
    def nothing_to_build(self) -> bool:
        return not self.full and not self.changed_tables

    def unchanged_models(self, manifest_path: Path) -> set[str]:
        """Models and seeds this build leaves as they are (every one when nothing changed)."""
        if self.full:
            return set()
        return set(unaffected_nodes(manifest_path, self.changed_tables))

    def dbt_args(
        self, manifest_path: Path, whole_project: bool = True, reuse_views: bool = False
    ) -> list[str]:
        """``dbt build`` without unit tests, excluding every model and seed no changed raw table feeds.

        dagster-dbt adds its own ``--select`` of the whole project, which a second ``--select``
        cannot narrow, so the part that did not change is excluded instead. Over the whole
        project (make study; a Dagster run of every asset) the exclusion is cautious: it takes
        out the tests whose models are all unchanged, not a test of a rebuilt model against an
        unchanged one (``fct_car.asset_id`` in ``int_es_assets``), which dbt's default (eager)
        would drop with the unchanged model. A Dagster subset keeps the default: there dbt's
        indirect selection adds the tests of the selected models that Dagster expects.
        ``reuse_views`` (make study, which selects for itself): see ``_args_reusing_views``.
        """
        # Unit tests check SQL logic on hand-made rows, not the data: the test suite runs them.
        build = ["build", "--exclude-resource-type", "unit_test"]
        if reuse_views and not self.full:
            reusing = self._args_reusing_views(manifest_path)
            if reusing:
                return [*build, *reusing]
        unchanged = sorted(self.unchanged_models(manifest_path))
        if not unchanged:
            return build
        cautious = ["--indirect-selection", "cautious"] if whole_project else []
        return [*build, "--exclude", " ".join(unchanged), *cautious]

    def reused_views(self, manifest_path: Path) -> list[str]:
        """The views a build with ``reuse_views`` keeps as they are: those of the warehouse that
        a changed raw table feeds (none for a full build)."""
        if self.full:
            return []
        return self._kept_views(self._fed_views(manifest_path))

    def _kept_views(self, fed_views: dict[str, str]) -> list[str]:
        return sorted(name for name, relation in fed_views.items() if relation in self.views)

    def _fed_views(self, manifest_path: Path) -> dict[str, str]:
        """The view models (name -> schema.relation) a changed raw table feeds."""
        unchanged = self.unchanged_models(manifest_path)
        manifest = read_manifest(manifest_path)
        return {
            name: relation
            for name, relation in view_models(manifest).items()
            if name not in unchanged
        }

    def _args_reusing_views(self, manifest_path: Path) -> list[str]:
        """What the changed raw tables feed, models and data tests, less the views the warehouse
        has: the plan is incremental only while the project is the one last built, so each view
        is the same SQL over tables rebuilt under it, and re-creating it (a dbt node, ~0.1 s)
        changes nothing. ``empty``: dbt would otherwise drop a view's tests with the view, and
        they test data that changed. The tests of unchanged raw tables do not run (their data did
        not change). Empty when no changed table is a dbt source."""
        manifest = read_manifest(manifest_path)
        sources = {s["name"] for s in manifest.get("sources", {}).values() if s["schema"] == "raw"}
        changed = [t for t in self.changed_tables if t in sources]
        if not changed:
            return []
        fed_views = self._fed_views(manifest_path)
        views = self._kept_views(fed_views)
        select = ["--select", *(f"source:raw.{table}+" for table in changed)]
        if views and len(views) == len(fed_views):
            # every view they feed is there: one criterion, where each name costs dbt a search
            # of the whole project (~5 ms)
            views = [VIEW_MODELS]
        kept = ["--exclude", *views] if views else []
        return [*select, *kept, "--indirect-selection", "empty"]


def read_manifest(manifest_path: Path) -> dict:
    """dbt's manifest.json, parsed once per version of the file (a plan asks it several
    questions; each parse is ~0.05 s). Callers read it and never change it."""
    stat = manifest_path.stat()
    return _parsed_manifest(manifest_path.resolve(), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=2)
def _parsed_manifest(path: Path, _mtime_ns: int, _size: int) -> dict:
    return json.loads(path.read_text())


def view_models(manifest: dict) -> dict[str, str]:
    """The models dbt materialises as views: name -> schema.relation."""
    return {
        node["name"]: f"{node['schema']}.{node['alias']}"
        for node in manifest.get("nodes", {}).values()
        if node["resource_type"] == "model" and node["config"].get("materialized") == "view"
    }


def warehouse_views(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """The views (schema.name) of the file's own catalog."""
    rows = con.execute(
        "select schema_name, view_name from duckdb_views() "
        "where database_name = current_database() and not internal"
    ).fetchall()
    return frozenset(f"{schema}.{name}" for schema, name in rows)


def unaffected_nodes(manifest_path: Path, changed_tables: list[str]) -> list[str]:
    """Names of the models and seeds that are not downstream of any changed raw table."""
    manifest = read_manifest(manifest_path)
    children = manifest.get("child_map", {})
    sources = [
        uid
        for uid, source in manifest.get("sources", {}).items()
        if source["schema"] == "raw" and source["name"] in changed_tables
    ]
    affected: set[str] = set()
    frontier = list(sources)
    while frontier:
        for child in children.get(frontier.pop(), []):
            if child not in affected:
                affected.add(child)
                frontier.append(child)
    return sorted(
        node["name"]
        for uid, node in manifest.get("nodes", {}).items()
        if node["resource_type"] in {"model", "seed", "snapshot"} and uid not in affected
    )


def table_fingerprints(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """raw table -> 'rows:hash sum' of its content, ignoring when rows were loaded."""
    tables = con.execute(
        "select table_name, list(column_name order by column_index) from duckdb_columns() "
        "where database_name = current_database() and schema_name = 'raw' group by 1 order by 1"
    ).fetchall()
    fingerprints = {DATABASE_KEY: con.execute("select current_database()").fetchone()[0]}
    for table, columns in tables:
        kept = [c for c in columns if c != "loaded_at"]
        row_hash = f"hash({', '.join(quote(c) for c in kept)})"
        rows, total = con.execute(
            f"select count(*), coalesce(sum({row_hash}::hugeint), 0) from raw.{quote(table)}"
        ).fetchone()
        fingerprints[table] = f"{rows}:{total}"
    return fingerprints


def _column_docs(node: dict) -> dict[str, str]:
    return {name: column.get("description", "") for name, column in node.get("columns", {}).items()}


def project_fingerprint(manifest_path: Path, project_file: Path = DBT_PROJECT_FILE) -> str:
    """The dbt project a build ran: each node's file (dbt's checksum), its configuration (a
    materialisation or contract set in YAML or dbt_project.yml leaves the file as it is) and its
    descriptions (persist_docs writes them into the warehouse as comments, which the read copy
    and BI tools show; the publish takes the raw tables' from the sources), the project's macros,
    dbt_project.yml itself (its vars reach the SQL at compile time) and the environment variables
    the SQL reads."""
    manifest = read_manifest(manifest_path)
    parts = sorted(
        f"{uid}:{node.get('checksum', {}).get('checksum', '')}:"
        + json.dumps(
            [node.get("config", {}), node.get("description", ""), _column_docs(node)],
            sort_keys=True,
            default=str,
        )
        for uid, node in manifest.get("nodes", {}).items()
    )
    parts += sorted(
        f"{uid}:"
        + json.dumps([source.get("description", ""), _column_docs(source)], sort_keys=True)
        for uid, source in manifest.get("sources", {}).items()
    )
    parts.append(f"{project_file.name}:{hashlib.sha256(project_file.read_bytes()).hexdigest()}")
    parts += sorted(
        f"{uid}:{hashlib.sha256(macro.get('macro_sql', '').encode()).hexdigest()}"
        for uid, macro in manifest.get("macros", {}).items()
        if macro.get("package_name") == manifest.get("metadata", {}).get("project_name")
    )
    parts += [f"env:{name}={env_value(name)}" for name in DBT_ENV_INPUTS]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _last_state(con: duckdb.DuckDBPyConnection) -> tuple[str | None, dict[str, str]]:
    try:
        rows = con.execute(f"select table_name, fingerprint, project from {STATE_TABLE}").fetchall()
    except duckdb.CatalogException:
        return None, {}
    project = rows[0][2] if rows else None
    return project, {table: fingerprint for table, fingerprint, _ in rows}


def plan_build(
    con: duckdb.DuckDBPyConnection, manifest_path: Path, force_full: bool = False
) -> BuildPlan:
    if force_full:
        return BuildPlan(full=True, reason="full build requested (FULL=1)")
    project = project_fingerprint(manifest_path)
    last_project, last_tables = _last_state(con)
    if last_project is None:
        return BuildPlan(full=True, reason="no previous dbt build recorded")
    if last_project != project:
        return BuildPlan(full=True, reason="the dbt project changed since the last build")
    current = table_fingerprints(con)
    if last_tables.get(DATABASE_KEY) != current[DATABASE_KEY]:
        return BuildPlan(full=True, reason="the warehouse file was renamed since the last build")
    changed = sorted(t for t, fp in current.items() if last_tables.get(t) != fp)
    if not changed:
        return BuildPlan(full=False, reason="no raw table changed since the last dbt build")
    reason = f"changed: {', '.join(changed)}"
    return BuildPlan(False, changed, reason, warehouse_views(con))


def save_state(
    con: duckdb.DuckDBPyConnection, manifest_path: Path, inputs: str | None = None
) -> None:
    """Record what the warehouse was built from, after a successful dbt build.

    ``inputs`` is the fingerprint of the run's input files and code when `make run` started the
    build (see ``inputs_fingerprint``); runs started elsewhere record none.
    """
    project = project_fingerprint(manifest_path)
    rows = [(t, fp, project, inputs) for t, fp in table_fingerprints(con).items()]
    con.execute("create schema if not exists meta")
    con.execute("begin transaction")
    con.execute(
        f"create or replace table {STATE_TABLE} (table_name varchar, fingerprint varchar, "
        "project varchar, inputs varchar, built_at timestamptz)"
    )
    con.executemany(f"insert into {STATE_TABLE} values (?, ?, ?, ?, now())", rows)
    con.execute("commit")


def recorded_inputs(con: duckdb.DuckDBPyConnection) -> str | None:
    """The inputs fingerprint recorded with the last dbt build, if `make run` started it."""
    try:
        row = con.execute(f"select any_value(inputs) from {STATE_TABLE}").fetchone()
    except duckdb.BinderException:
        return None  # a state table from before inputs were recorded
    except duckdb.CatalogException:
        return None
    return row[0] if row else None


def record_inputs(con: duckdb.DuckDBPyConnection, inputs: str | None) -> None:
    """A run that had nothing to rebuild still records the inputs it found unchanged."""
    with contextlib.suppress(duckdb.CatalogException):  # no build recorded yet
        con.execute(f"alter table {STATE_TABLE} add column if not exists inputs varchar")
        con.execute(f"update {STATE_TABLE} set inputs = ?", [inputs])


def forget_state(con: duckdb.DuckDBPyConnection) -> None:
    """After a failed dbt build the next one starts from scratch."""
    con.execute(f"drop table if exists {STATE_TABLE}")


def state_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    """One hash of the recorded build state: equal in the private file and its published copy
    when readers see exactly what the pipeline last built."""
    try:
        rows = con.execute(
            f"select table_name, fingerprint, project from {STATE_TABLE} order by 1"
        ).fetchall()  # not the inputs: a no-op run records the same state
    except duckdb.CatalogException:
        return None
    return hashlib.sha256(repr(rows).encode()).hexdigest() if rows else None


# ---------------------------------------------------------------- the whole run's inputs

# Everything in the repository that turns inputs into tables: code, dbt project, locked versions.
CODE_GLOBS = (
    "ingest/**/*.py",
    "publishing/**/*.py",
    "warehouse_udfs/**/*.py",
    "dbt_project/dbt_project.yml",
    "dbt_project/models/**/*",
    "dbt_project/macros/**/*",
    "dbt_project/seeds/**/*",
    "dbt_project/tests/**/*",
    "uv.lock",
)
ENV_INPUTS = ("INGEST_MODE", "HACK_EVENT_MIN_USD", "ALLOW_SHRINK")
# The run tag `make run` sets to the fingerprint, so the dbt step records it with its state.
INPUTS_TAG = "warehouse/inputs"


def _file_digest(digest, name: str, path: Path) -> None:
    digest.update(name.encode())
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)


def inputs_fingerprint(
    repo_root: Path, files: list[Path], year: int, event_files: list[Path]
) -> str:
    """What a build reads, in two hashes ``<the rest>.<event configs>``: the given input files
    (catalog, landing files), the repository's code and locked dependencies, the settings that
    change results and the year (trading sessions are generated to the end of next year); then
    the event configs. `make study` loads only the latter (``study_inputs``)."""
    digest = hashlib.sha256(f"year={year}".encode())
    for name in ENV_INPUTS:
        digest.update(f"{name}={env_value(name)}".encode())
    code = sorted({p for pattern in CODE_GLOBS for p in repo_root.glob(pattern) if p.is_file()})
    for path in code:
        _file_digest(digest, path.relative_to(repo_root).as_posix(), path)
    _files_digest(digest, files)
    events = hashlib.sha256()
    _files_digest(events, event_files)
    return f"{digest.hexdigest()}.{events.hexdigest()}"


def _files_digest(digest, files: list[Path]) -> None:
    for path in files:
        if path.is_file():
            _file_digest(digest, str(path), path)
        else:
            digest.update(f"missing:{path}".encode())


def study_inputs(recorded: str | None, current: str | None) -> str | None:
    """The inputs a `make study` build stands for, ``current`` (taken before it loaded the event
    configs): all of them when everything but the event configs is as the recorded build (the
    last `make run`'s) read it, so that `make run` then finds nothing to do; else none."""
    if recorded and current and recorded.split(".")[0] == current.split(".")[0]:
        return current
    return None

"""warehouse_engine.warm_dbt: dbt kept loaded in `make study`'s process re-reads the project
when one of its files changes, and only then (the loop never builds SQL older than the files)."""

from __future__ import annotations

import gc
import json
import os
import shutil
import weakref
from pathlib import Path
from unittest import mock

from ingest.config import REPO_ROOT
from warehouse_engine.warm_dbt import PROJECT_FILES, PROJECT_FOLDERS, WarmDbt

MODEL = Path("models") / "marts" / "event_study" / "fct_car.sql"
NODE = "model.event_study_warehouse.fct_car"


def _copy_project(tmp_path: Path) -> Path:
    """The repository's dbt project, its files only, in a folder of the test's own."""
    project = tmp_path / "dbt_project"
    for folder in PROJECT_FOLDERS:
        shutil.copytree(REPO_ROOT / "dbt_project" / folder, project / folder)
    for name in PROJECT_FILES:
        shutil.copy(REPO_ROOT / "dbt_project" / name, project / name)
    return project


def _checksum(dbt: WarmDbt) -> str:
    return json.loads(dbt.manifest_path.read_text())["nodes"][NODE]["checksum"]["checksum"]


@mock.patch.dict(os.environ)  # WarmDbt hands dbt its settings through this process's environment
def test_the_project_is_parsed_again_only_when_a_file_changed(tmp_path: Path) -> None:
    project = _copy_project(tmp_path)
    lines: list[str] = []
    dbt = WarmDbt(
        project,
        tmp_path / "target",
        tmp_path / "logs",
        {"WAREHOUSE_DB": str(tmp_path / "warehouse.duckdb")},
        progress=lines.append,
    )
    parsed = _checksum(dbt)
    assert not dbt.parse_if_changed()

    model = project / MODEL
    model.write_text(model.read_text() + "\n-- edited while the loop runs\n")
    assert dbt.parse_if_changed()
    assert _checksum(dbt) != parsed  # the manifest the next build plans from has the edit
    assert not dbt.parse_if_changed()
    assert not (tmp_path / "warehouse.duckdb").exists()  # parsing never opens the warehouse


@mock.patch.dict(os.environ)
def test_a_loop_started_after_an_edit_resolves_sources_and_refs(tmp_path: Path) -> None:
    """`make study` starts from the parse `make setup` saved; with a macro edited since, its
    first parse is a partial one from that file, which leaves dbt's lookups built, and the copy
    each invocation runs on must still find every source and ref (dbt-core's own pickling put
    the ref lookup in the source lookup's place: "RefableLookup.find() missing 1 required
    positional argument")."""
    project = _copy_project(tmp_path)
    env = {"WAREHOUSE_DB": str(tmp_path / "warehouse.duckdb")}
    WarmDbt(project, project / "target", tmp_path / "logs", env)  # as `make setup`'s parse
    macro = project / "macros" / "materializations" / "duckdb_in_place.sql"
    macro.write_text(macro.read_text() + "\n{#- edited since -#}\n")

    dbt = WarmDbt(project, tmp_path / "target", tmp_path / "logs", env, progress=lambda _: None)
    compiled = dbt.invoke(["compile", "-s", "stg_es_studies", "fct_car", "--no-introspect"])

    assert compiled.success, compiled.error or compiled.nodes
    out = tmp_path / "target" / "compiled" / "event_study_warehouse" / "models"
    staging = (out / "staging" / "event_study" / "stg_es_studies.sql").read_text()
    assert '"raw"."studies"' in staging  # its source, resolved
    mart = (out / "marts" / "event_study" / "fct_car.sql").read_text()
    assert '"intermediate"."int_es_unit_cars"' in mart  # a ref, resolved
    # dbt's log file, which make study's report points to for failures it does not show
    assert "Compiled node 'stg_es_studies'" in (tmp_path / "logs" / "dbt.log").read_text()


@mock.patch.dict(os.environ)
def test_prepare_collects_the_last_build_and_freezes_what_the_next_one_reads(
    tmp_path: Path,
) -> None:
    """A full collection during a build would walk the project's copy with the GIL held (0.3 s
    every other build); prepare() collects between builds and freezes what is alive then. What
    a build leaves behind is collected by the next prepare(), so nothing piles up frozen."""
    project = _copy_project(tmp_path)
    env = {"WAREHOUSE_DB": str(tmp_path / "warehouse.duckdb")}
    dbt = WarmDbt(project, tmp_path / "target", tmp_path / "logs", env, progress=lambda _: None)
    gc.disable()  # only prepare() collects here: what it frees, it freed
    try:
        before = weakref.ref(_SelfReferring())
        dbt.prepare()
        assert before() is None  # collected, not frozen alive
        assert gc.get_freeze_count() > 100_000  # the parsed project and the next build's copy
        frozen = []
        for _ in range(3):
            compiled = dbt.invoke(["compile", "-s", "fct_car", "--no-introspect"])
            assert compiled.success, compiled.error or compiled.nodes
            during = weakref.ref(_SelfReferring())
            dbt.prepare()
            assert during() is None
            frozen.append(gc.get_freeze_count())
        # each build's copy is freed by the next prepare(): the frozen set stays the same size
        # (without it, every build would leave ~50,000 objects frozen)
        assert max(frozen[1:]) < frozen[0] * 1.05, frozen
    finally:
        gc.unfreeze()
        gc.enable()


class _SelfReferring:
    """Garbage that only the cyclic collector frees: it refers to itself."""

    def __init__(self) -> None:
        self.me = self

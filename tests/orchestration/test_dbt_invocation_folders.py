"""dagster-dbt's folder per dbt invocation (dbt_project/target/dbt_models-<run>-<id>, ~15 MB
each) is pruned by the dbt step to the newest few, so builds do not fill the disk."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import dagster as dg
import pytest

from ingest.config import REPO_ROOT
from orchestration.dbt_assets import KEPT_INVOCATION_FOLDERS, prune_invocation_folders
from tests.e2e_support import build_warehouse
from tests.orchestration.conftest import SmallBuild


def test_only_the_newest_invocation_folders_are_kept(tmp_path: Path) -> None:
    folders = []
    for age in range(8):
        folder = tmp_path / f"dbt_models-run{age}-abc{age}"
        (folder / "compiled").mkdir(parents=True)
        (folder / "manifest.json").write_text("{}")
        os.utime(folder, (1_700_000_000 - age * 60, 1_700_000_000 - age * 60))
        folders.append(folder)
    others = [tmp_path / "study-123-x", tmp_path / "sqlfluff"]
    for other in others:
        other.mkdir()
    (tmp_path / "manifest.json").write_text("{}")

    removed = prune_invocation_folders(tmp_path, "dbt_models", keep=5)

    assert sorted(removed) == sorted(folders[5:])  # the three oldest
    assert all(f.is_dir() for f in folders[:5]) and not any(f.exists() for f in folders[5:])
    assert all(o.is_dir() for o in others) and (tmp_path / "manifest.json").is_file()


@pytest.mark.e2e
def test_the_dbt_step_prunes_before_it_runs(
    tmp_path: Path, landing_dir: Path, small_build: SmallBuild
) -> None:
    target = REPO_ROOT / "dbt_project" / "target"
    newer = len(list(target.glob("dbt_models-*")))  # every real one is newer than the fakes
    fakes = []
    for age in range(KEPT_INVOCATION_FOLDERS + 3):
        fake = target / f"dbt_models-fake{age:03d}-pruned"
        fake.mkdir()
        os.utime(fake, (1_000_000_000 - age, 1_000_000_000 - age))  # 2001, oldest last
        fakes.append(fake)
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(small_build.warehouse_db, db)
    try:
        result = build_warehouse(
            db,
            landing_dir,
            series_file=small_build.series_file,
            asset_selection=[dg.AssetKey(["marts", "dim_asset"])],
        )
        assert result.success, result.failures
        left = [f for f in fakes if f.exists()]
        assert len(left) <= max(0, KEPT_INVOCATION_FOLDERS - newer)
        assert left == fakes[: len(left)]  # the newest of them, if any
    finally:
        for fake in fakes:
            shutil.rmtree(fake, ignore_errors=True)

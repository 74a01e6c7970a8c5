"""A small warehouse built and published once per session, for tests that start from a build."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from ingest.config import REPO_ROOT
from publishing.publish import current_build
from tests.e2e_support import build_warehouse
from tests.orchestration.support import SMALL_CATALOG
from warehouse_engine.warm_dbt import PROJECT_FILES, PROJECT_FOLDERS


@dataclass(frozen=True)
class SmallBuild:
    """The private file and the published copy of one green build of the small catalog."""

    warehouse_db: Path
    serving_db: Path
    series_file: Path
    build_id: str


DBT_DIR = REPO_ROOT / "dbt_project"


def check_dbt_manifest() -> None:
    """Dagster maps dbt's events through the manifest; one older than the dbt files fails the
    dbt step with a KeyError on the new node, which would read as a failure of these tests."""
    manifest = DBT_DIR / "target" / "manifest.json"
    if not manifest.exists():
        pytest.fail("dbt manifest missing: run `make manifest` (or `make setup`) first")
    # what dbt parses, as make manifest and make study's re-parse see it
    files = [p for name in PROJECT_FOLDERS for p in (DBT_DIR / name).rglob("*") if p.is_file()]
    files += [DBT_DIR / name for name in PROJECT_FILES]
    newer = [p for p in files if p.stat().st_mtime > manifest.stat().st_mtime]
    if newer:
        pytest.fail(
            f"dbt manifest older than {newer[0].relative_to(REPO_ROOT)} "
            f"(+{len(newer) - 1} more): run `make manifest` first"
        )


@pytest.fixture(autouse=True)
def _dbt_manifest_is_current(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("e2e") is not None:
        check_dbt_manifest()


@pytest.fixture(scope="session")
def small_build(tmp_path_factory: pytest.TempPathFactory, landing_dir: Path) -> SmallBuild:
    check_dbt_manifest()  # session fixtures are set up before the autouse check
    root = tmp_path_factory.mktemp("small_build")
    series_file = root / "series.yml"
    series_file.write_text(SMALL_CATALOG)
    db = root / "warehouse.duckdb"
    result = build_warehouse(db, landing_dir, series_file=series_file)
    if not result.success:
        pytest.fail(f"building the small warehouse failed: {result.failures}")
    serving_db = root / "serving" / "warehouse.duckdb"  # where build_warehouse publishes
    published = current_build(serving_db)
    assert published is not None, "a green build must publish"
    return SmallBuild(db, serving_db, series_file, str(published["build_id"]))

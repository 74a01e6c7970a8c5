"""Shared fixtures: the real landing folder (../shared/raw, read in place) and temp warehouses."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.config import load_settings

LANDING_DIR = load_settings().landing_dir


@pytest.fixture(scope="session")
def landing_dir() -> Path:
    if not LANDING_DIR.is_dir():
        pytest.fail(f"landing folder {LANDING_DIR} not found: clone the repo beside ../shared")
    return LANDING_DIR


@pytest.fixture(scope="session")
def read_landing(landing_dir: Path):
    def _read(relative_path: str) -> bytes:
        return (landing_dir / relative_path).read_bytes()

    return _read


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory, landing_dir: Path) -> Path:
    """The whole warehouse built once per test session by the real Dagster job (make run's job).

    Raw tables come from the real landing folder; every dbt model and test runs on them.
    """
    from tests.e2e_support import build_warehouse

    target = tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"
    result = build_warehouse(target, landing_dir)
    if not result.success:
        pytest.fail(f"building the warehouse failed: {result.failures}")
    return target

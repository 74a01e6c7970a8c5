"""The read copy the session's real build published (fixture ``built_warehouse``)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def serving_db(built_warehouse: Path) -> Path:
    path = built_warehouse.parent / "serving" / "warehouse.duckdb"
    assert path.is_file(), "the build did not publish a read copy"
    return path

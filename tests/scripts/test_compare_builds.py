"""scripts/compare_builds.py: a relation moved between the two trees is compared with its base;
two trees that both have it compare it with itself (no "was" line, no intended change)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import duckdb
import pytest

from ingest.config import REPO_ROOT

IBIT = "equities/adjclose_IBIT.csv"


@pytest.fixture(scope="module")
def compare_builds():
    spec = importlib.util.spec_from_file_location(
        "compare_builds", REPO_ROOT / "scripts" / "compare_builds.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module.compare_builds


def _build(path: Path, landing_dir: Path, *, moved: bool) -> Path:
    """A warehouse file named like the real one, with IBIT's real closes as stg_daily_bars and,
    after the move, int_daily_bars beside it (the same rows plus a calendar column)."""
    path.mkdir(parents=True)
    db = path / "warehouse.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema staging; create schema intermediate")
        con.execute(
            "create table staging.stg_daily_bars as select Date as bar_date, Close as close "
            "from read_csv(?)",
            [str(landing_dir / IBIT)],
        )
        if moved:
            con.execute(
                "create table intermediate.int_daily_bars as "
                "select *, 'XNYS' as calendar from staging.stg_daily_bars"
            )
    return db


def test_a_relation_present_in_both_builds_is_compared_with_itself(
    compare_builds, landing_dir: Path, tmp_path: Path
) -> None:
    base = _build(tmp_path / "base", landing_dir, moved=True)
    new = _build(tmp_path / "new", landing_dir, moved=True)
    results = {r.relation: r for r in compare_builds(base, new)}
    assert set(results) == {"staging.stg_daily_bars", "intermediate.int_daily_bars"}
    assert {r.status for r in results.values()} == {"identical"}
    rows = results["staging.stg_daily_bars"].base_rows
    assert rows > 400 and results["intermediate.int_daily_bars"].new_rows == rows


def test_a_relation_moved_between_the_trees_is_compared_with_its_base(
    compare_builds, landing_dir: Path, tmp_path: Path
) -> None:
    base = _build(tmp_path / "base", landing_dir, moved=False)
    new = _build(tmp_path / "new", landing_dir, moved=True)
    labels = [r.relation for r in compare_builds(base, new)]
    assert "intermediate.int_daily_bars (was staging.stg_daily_bars)" in labels

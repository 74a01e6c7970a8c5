"""Incremental builds: nothing changed builds nothing; one changed file equals a full rebuild."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from tests.e2e_support import BuildResult, build_warehouse
from tests.warehouse_compare import differences

pytestmark = pytest.mark.e2e


def _copy_build(built_warehouse: Path, folder: Path) -> Path:
    """The session's warehouse and its published copy, as another user's clone would have them."""
    folder.mkdir()
    shutil.copy(built_warehouse, folder / built_warehouse.name)
    shutil.copytree(built_warehouse.parent / "serving", folder / "serving")
    return folder / built_warehouse.name


def _materialized(result: BuildResult) -> set[str]:
    return {
        e.asset_key.to_user_string()
        for e in result.events_of("ASSET_MATERIALIZATION")
        if e.asset_key is not None
    }


def _rebuilt(result: BuildResult) -> set[str]:
    """Models dbt ran in this build (the others are reported current, with rebuilt = false)."""
    rebuilt = set()
    for event in result.events_of("ASSET_MATERIALIZATION"):
        metadata = event.event_specific_data.materialization.metadata
        flag = metadata.get("rebuilt")
        if flag is None or flag.value is not False:
            rebuilt.add(event.asset_key.to_user_string())
    return rebuilt


def _entry_statuses(result: BuildResult) -> dict[str, str]:
    statuses = {}
    for event in result.events_of("ASSET_MATERIALIZATION"):
        metadata = event.event_specific_data.materialization.metadata
        if event.asset_key.path[0] == "ingest" and "changed" in metadata:
            statuses[event.asset_key.path[-1]] = metadata["status"].value.split(":")[0]
    return statuses


def test_a_run_with_nothing_changed_builds_nothing(
    built_warehouse: Path, landing_dir: Path, tmp_path: Path
) -> None:
    db = _copy_build(built_warehouse, tmp_path / "again")
    result = build_warehouse(db, landing_dir)
    assert result.success, result.failures
    assert set(_entry_statuses(result).values()) == {"unchanged"}
    built = _materialized(result)
    assert not {k for k in built if k.startswith(("marts/", "intermediate/", "staging/"))}
    assert "serving/warehouse" not in built  # readers keep their build
    skipped = {e.step_key for e in result.events_of("STEP_SKIPPED")}
    assert "serving__warehouse" in skipped


def _older_ibit_export(landing_dir: Path, folder: Path) -> Path:
    """A copy of the landing folder whose IBIT export ends 30 sessions earlier."""
    shutil.copytree(landing_dir, folder)
    ibit = folder / "equities" / "adjclose_IBIT.csv"
    lines = ibit.read_text().splitlines(keepends=True)
    ibit.write_text("".join(lines[:-30]))
    return folder


def test_one_changed_file_rebuilds_its_part_and_equals_a_full_rebuild(
    built_warehouse: Path, landing_dir: Path, tmp_path: Path
) -> None:
    landing = _older_ibit_export(landing_dir, tmp_path / "landing")
    incremental_db = _copy_build(built_warehouse, tmp_path / "incremental")
    incremental = build_warehouse(incremental_db, landing)
    assert incremental.success, incremental.failures
    statuses = _entry_statuses(incremental)
    assert statuses["ibit"] == "loaded"
    assert {s for e, s in statuses.items() if e != "ibit"} == {"unchanged"}
    rebuilt = _rebuilt(incremental)
    assert "marts/fct_daily_prices" in rebuilt  # downstream of raw.daily_bars
    assert "marts/fct_hack_incident" not in rebuilt  # hack data did not change
    assert "marts/fct_hack_incident" in _materialized(incremental)  # ... and is current
    assert "serving/warehouse" in rebuilt

    full_db = tmp_path / "full" / built_warehouse.name
    full_db.parent.mkdir()
    full = build_warehouse(full_db, landing)
    assert full.success, full.failures

    built = differences(incremental_db, full_db)
    published = differences(
        incremental_db.parent / "serving" / "warehouse.duckdb",
        full_db.parent / "serving" / "warehouse.duckdb",
    )
    assert "marts.fct_car" in built and "intermediate.int_es_pairs" in built
    assert "staging.stg_daily_bars" in published
    assert {t: n for t, n in built.items() if n} == {}
    assert {t: n for t, n in published.items() if n} == {}
    with duckdb.connect(str(incremental_db), read_only=True) as con:
        last = con.execute(
            "select max(trade_date) from marts.fct_daily_prices where asset_id = 'ibit'"
        ).fetchone()[0]
    assert str(last) < "2026-07-01"  # the shorter export reached the marts

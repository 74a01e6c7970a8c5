"""What an edit of EVENTS_FILE or STUDIES_FILE rebuilds: `make study` and `make run` build only the
models downstream of the raw tables that changed (publishing.build_state), so the per-asset
sessions and returns the event-study models read are not rebuilt for it, only when prices change.
The data tests of what is rebuilt still run, those against a model left as it was included.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from ingest.config import REPO_ROOT
from orchestration.event_config_assets import TABLES
from publishing.build_state import BuildPlan, read_manifest, unaffected_nodes, view_models
from warehouse_engine import dbt_duckdb

MANIFEST = REPO_ROOT / "dbt_project" / "target" / "manifest.json"
EVENT_STUDY_VIEWS = [
    ("marts", "fct_abnormal_returns"),
    ("intermediate", "int_es_window_rows"),
    ("intermediate", "int_es_day_stats"),
]


def test_an_events_or_studies_edit_leaves_the_asset_sessions_alone() -> None:
    unaffected = set(unaffected_nodes(MANIFEST, list(TABLES)))

    assert "int_es_asset_sessions" in unaffected
    assert "int_es_assets" in unaffected
    # ... and rebuilds the whole event-study chain that reads them
    assert {"int_es_pairs", "int_es_estimation_sums_even", "fct_car"}.isdisjoint(unaffected)


def test_a_price_change_rebuilds_the_asset_sessions() -> None:
    unaffected = set(unaffected_nodes(MANIFEST, ["daily_bars"]))

    assert "int_es_asset_sessions" not in unaffected
    assert "fct_hack_incident" in unaffected


def _tests_built(args: list[str], tmp_path: Path, resource_type: str = "test") -> set[str]:
    """The data tests (or other nodes) a ``dbt build`` with ``args`` runs, as ``dbt ls`` lists
    them."""
    assert args[0] == "build"
    listed = subprocess.run(
        [
            *dbt_duckdb.command(),
            "ls",
            *args[1:],
            "--resource-type",
            resource_type,
            "--output",
            "name",
            "--quiet",
            "--profiles-dir",
            ".",
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
        ],  # fmt: skip
        cwd=REPO_ROOT / "dbt_project",
        env={
            **os.environ,
            "WAREHOUSE_DB": str(tmp_path / "never_opened.duckdb"),
            "PYTHONPATH": str(REPO_ROOT),
        },  # fmt: skip
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return set(listed.stdout.split())


def test_an_events_edit_still_tests_the_cars_against_the_unchanged_assets(tmp_path: Path) -> None:
    plan = BuildPlan(full=False, changed_tables=["events"])
    tests = _tests_built(plan.dbt_args(MANIFEST), tmp_path)

    # a rebuilt mart against an unchanged model: run (dbt's eager exclusion would drop it)
    assert "relationships_fct_car_asset_id__asset_id__ref_int_es_assets_" in tests
    assert "relationships_fct_car_event_id__event_id__ref_dim_event_" in tests
    # the unchanged model's own tests: its data did not change
    assert "unique_int_es_assets_asset_id" not in tests
    # a Dagster subset keeps dbt's default: the cross test goes with the unchanged model
    subset = _tests_built(plan.dbt_args(MANIFEST, whole_project=False), tmp_path)
    assert "relationships_fct_car_asset_id__asset_id__ref_int_es_assets_" not in subset
    assert tests - subset == {t for t in tests - subset if t.startswith("relationships_")}


def test_make_study_keeps_the_views_and_still_tests_them(tmp_path: Path) -> None:
    # the warehouse's views as plan_build finds them in a built file (schema.name)
    views = frozenset(f"{schema}.{name}" for schema, name in EVENT_STUDY_VIEWS)
    plan = BuildPlan(full=False, changed_tables=["events"], views=views)
    reusing = plan.dbt_args(MANIFEST, reuse_views=True)
    assert plan.reused_views(MANIFEST) == [
        "fct_abnormal_returns",
        "int_es_day_stats",
        "int_es_window_rows",
    ]

    models = _tests_built(reusing, tmp_path, "model")
    assert {"int_es_pairs", "int_es_day_sums_even", "fct_car"} <= models
    assert not {"fct_abnormal_returns", "int_es_window_rows", "int_es_day_stats"} & models
    # a view the warehouse lacks is built, whatever the plan
    assert "stg_es_events" in models
    # every test the build without reuse runs, the views' own among them: their data changed
    tests = _tests_built(reusing, tmp_path)
    assert tests == _tests_built(plan.dbt_args(MANIFEST), tmp_path)
    assert (
        "unique_combination_fct_abnormal_returns_study_id__event_id__asset_id__relative_day"
        in tests
    )
    assert "unique_int_es_assets_asset_id" not in tests
    # a full build (the project changed) re-creates every view
    full = BuildPlan(full=True, views=views)
    assert full.dbt_args(MANIFEST, reuse_views=True) == full.dbt_args(MANIFEST)


def test_with_every_view_in_place_one_criterion_keeps_them(tmp_path: Path) -> None:
    # a warehouse built by this project has all its views: `make study`'s usual case
    views = frozenset(view_models(read_manifest(MANIFEST)).values())
    plan = BuildPlan(full=False, changed_tables=list(TABLES), views=views)
    reusing = plan.dbt_args(MANIFEST, reuse_views=True)
    kept = reusing[reusing.index("--exclude") + 1 : reusing.index("--indirect-selection")]
    assert kept == ["config.materialized:view"]

    # the same models and tests as naming each view the edit feeds
    reused = plan.reused_views(MANIFEST)
    assert {"fct_abnormal_returns", "int_es_day_stats", "stg_es_studies"} <= set(reused)
    by_name = [*reusing[: reusing.index("--exclude") + 1], *reused, "--indirect-selection", "empty"]
    models = _tests_built(reusing, tmp_path, "model")
    assert models == _tests_built(by_name, tmp_path, "model")
    assert {"int_es_day_sums_even", "fct_event_study_summary"} <= models
    assert not {"fct_abnormal_returns", "int_es_day_stats", "int_es_assets"} & models
    assert _tests_built(reusing, tmp_path) == _tests_built(by_name, tmp_path)

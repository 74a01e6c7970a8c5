"""The dbt project's fingerprint (publishing.build_state): an edit that changes what dbt builds
makes the next `make run` or `make study` build everything, also when no model's file changed."""

from __future__ import annotations

import json
from pathlib import Path

from ingest.config import REPO_ROOT
from publishing.build_state import DBT_PROJECT_FILE, project_fingerprint

MANIFEST = REPO_ROOT / "dbt_project" / "target" / "manifest.json"
FCT_CAR = "model.event_study_warehouse.fct_car"


def test_a_var_edited_in_dbt_project_yml_changes_the_fingerprint(tmp_path: Path) -> None:
    text = DBT_PROJECT_FILE.read_text()
    # how many days apart two sources' records of one hack may be (int_hack_match_pairs)
    assert "hack_match_window_days: 1\n" in text
    edited = tmp_path / "dbt_project.yml"
    edited.write_text(text.replace("hack_match_window_days: 1\n", "hack_match_window_days: 2\n"))

    assert project_fingerprint(MANIFEST, edited) != project_fingerprint(MANIFEST)
    edited.write_text(text)  # the same content elsewhere: the same project
    assert project_fingerprint(MANIFEST, edited) == project_fingerprint(MANIFEST)


def test_a_materialisation_set_in_yaml_changes_the_fingerprint(tmp_path: Path) -> None:
    manifest = json.loads(MANIFEST.read_text())
    node = manifest["nodes"][FCT_CAR]
    assert node["config"]["materialized"] == "table"
    checksum = node["checksum"]["checksum"]
    node["config"]["materialized"] = "view"  # its SQL file untouched: dbt's checksum stays
    edited = tmp_path / "manifest.json"
    edited.write_text(json.dumps(manifest))

    assert json.loads(edited.read_text())["nodes"][FCT_CAR]["checksum"]["checksum"] == checksum
    assert project_fingerprint(edited) != project_fingerprint(MANIFEST)


def test_an_edited_description_changes_the_fingerprint(tmp_path: Path) -> None:
    """dbt writes descriptions into the warehouse (persist_docs) and the publish takes the raw
    tables' from the sources: a docs-only edit must rebuild, or readers keep the old comments."""
    manifest = json.loads(MANIFEST.read_text())
    car = manifest["nodes"][FCT_CAR]["columns"]["car"]
    assert car["description"] == "CAR = sum of AR_t over the window."
    car["description"] = "CAR, reworded"
    edited = tmp_path / "manifest.json"
    edited.write_text(json.dumps(manifest))
    assert project_fingerprint(edited) != project_fingerprint(MANIFEST)

    manifest = json.loads(MANIFEST.read_text())
    prices = manifest["sources"]["source.event_study_warehouse.raw.daily_bars"]
    assert prices["description"]
    prices["description"] = "bars, reworded"
    edited.write_text(json.dumps(manifest))
    assert project_fingerprint(edited) != project_fingerprint(MANIFEST)

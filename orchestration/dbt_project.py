"""The dbt project as Dagster sees it (manifest built by ``make setup`` with ``dbt parse``)."""

from __future__ import annotations

from dagster_dbt import DbtProject

from ingest.config import REPO_ROOT

dbt_project = DbtProject(
    project_dir=REPO_ROOT / "dbt_project", profiles_dir=REPO_ROOT / "dbt_project"
)
# Under `dagster dev` the manifest is rebuilt from the SQL so edits show up without `make setup`.
dbt_project.prepare_if_dev()

"""The dbt project as Dagster sees it (manifest built by ``make setup`` with ``dbt parse``)."""

from __future__ import annotations

from dagster._utils.env import environ
from dagster_dbt import DbtProject

from ingest.config import REPO_ROOT, load_settings

dbt_project = DbtProject(
    project_dir=REPO_ROOT / "dbt_project", profiles_dir=REPO_ROOT / "dbt_project"
)
# Under `dagster dev` the manifest is rebuilt from the SQL so edits show up without `make setup`;
# dbt parse renders profiles.yml, which needs WAREHOUSE_DB: it gets the resolved paths every dbt
# call gets (orchestration/resources.py dbt_cli), also when `dagster dev` is started without make.
with environ(load_settings().dbt_env()):
    dbt_project.prepare_if_dev()

"""The dashboard's Superset asset bundle (bi/assets/*.yaml) as Superset's importer takes it.

The files are Superset's export format 1.0.0: metadata, the database, datasets, charts and the
dashboard. Only the database entry depends on where the endpoint runs: its URI is rewritten here
with the masked password, and the real one goes to the importer apart (never into a file).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from bi.settings import BI_DIR, Endpoint

BUNDLE_DIR = BI_DIR / "assets"
DATABASE_FILE = "databases/served_warehouse.yaml"
DASHBOARD_FILE = "dashboards/event_study_warehouse.yaml"


def bundle_files(bundle_dir: Path = BUNDLE_DIR) -> dict[str, str]:
    """{path inside the bundle: YAML text} of every file of the bundle."""
    return {
        path.relative_to(bundle_dir).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(bundle_dir.rglob("*.yaml"))
    }


def render_bundle(endpoint: Endpoint, bundle_dir: Path = BUNDLE_DIR) -> dict[str, str]:
    """The bundle with the database URI pointing at ``endpoint`` (password masked)."""
    contents = bundle_files(bundle_dir)
    database = yaml.safe_load(contents[DATABASE_FILE])
    database["sqlalchemy_uri"] = endpoint.uri()
    contents[DATABASE_FILE] = yaml.safe_dump(database, sort_keys=False)
    return contents


def bundle_passwords(password: str) -> dict[str, str]:
    """The importer's ``passwords`` argument: the endpoint password for the database file."""
    return {DATABASE_FILE: password}


def dashboard_slug(bundle_dir: Path = BUNDLE_DIR) -> str:
    return yaml.safe_load((bundle_dir / DASHBOARD_FILE).read_text(encoding="utf-8"))["slug"]

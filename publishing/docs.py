"""Descriptions of the raw tables from the dbt manifest (``_sources.yml``).

dbt writes the models' descriptions into DuckDB itself (``persist_docs``); the raw tables are
written by the ingest code, so their descriptions come from the dbt sources that declare them.
"""

from __future__ import annotations

import json
import logging

from ingest.config import REPO_ROOT

log = logging.getLogger(__name__)

MANIFEST = (
    REPO_ROOT / "dbt_project" / "target" / "manifest.json"
)  # written by make setup (dbt parse)

# (schema, table) -> (table description, {column: description})
SourceDocs = dict[tuple[str, str], tuple[str | None, dict[str, str]]]


def source_docs() -> SourceDocs:
    path = MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        log.warning(
            "no dbt manifest at %s (%s): raw tables are published without descriptions", path, exc
        )
        return {}
    docs: SourceDocs = {}
    for source in manifest.get("sources", {}).values():
        columns = {
            name: column["description"]
            for name, column in source.get("columns", {}).items()
            if column.get("description")
        }
        key = (source["schema"], source.get("identifier") or source["name"])
        docs[key] = (source.get("description") or None, columns)
    return docs

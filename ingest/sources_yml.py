"""Write dbt's source file for schema ``raw`` from ``ingest.datasets``, its one declaration.

    uv run --frozen python -m ingest.sources_yml          # rewrite the file
    uv run --frozen python -m ingest.sources_yml --check  # exit 1 when the file is stale

Every raw table, column, type and description, the freshness settings, the row key
(``meta.row_key``) and the coarser key staging deduplicates on where a dataset declares one
(``meta.staging_key``) come from ``ingest/datasets.py``; the YAML is never edited by hand. tests/ingest/test_sources_yml.py fails when the committed file and the declaration drift.
"""

from __future__ import annotations

import json
import sys

from ingest.config import REPO_ROOT
from ingest.datasets import RAW_TABLES, Dataset, RawTable

SOURCES_YML = REPO_ROOT / "dbt_project" / "models" / "staging" / "_sources.yml"

HEADER = """\
version: 2

# GENERATED from ingest/datasets.py by `python -m ingest.sources_yml`: do not edit by hand.
# ingest/datasets.py declares every table of schema raw (columns, types, descriptions, keys);
# the ingest code creates the tables from it and this file tells dbt about them.
#
# Freshness: `loaded_at` is when the loader wrote a row, so it measures how recently ingestion
# ran, not how recent the data are. It is checked (warn only, never error) on the dataset tables
# and the load log; the catalog, calendar and event-config tables are rewritten whole on every
# run and carry no freshness check. Run with `dbt source freshness`.
#
# meta.row_key: the key a dataset's rows are unique on within one source_id (enforced by the
# loader); staging keeps the latest row per source_id and key (macro latest_source_rows), or per
# meta.staging_key where a dataset declares that coarser key.

sources:
  - name: raw
    schema: raw
    description: >
      Raw layer written by the Python ingestion: one table per dataset with lineage columns
      (source_id, origin, payload_sha256, source_line, loaded_at), the payload archive log,
      the load log and rejects, the catalog of series and their sources, trading sessions, and
      the event catalogue and study definitions. Rows are validated (keys unique within a
      source, required values present, prices positive) but otherwise as published: units,
      signs and quote conventions are the source's.
    config:
      loaded_at_field: loaded_at
      freshness:
        warn_after: {count: 7, period: day}

    tables:
"""


def _text(value: str) -> str:
    """A YAML scalar: JSON's double-quoted string is valid YAML and escapes everything."""
    return json.dumps(value, ensure_ascii=False)


def _table(table: RawTable) -> list[str]:
    lines = [f"      - name: {table.table}", f"        description: {_text(table.description)}"]
    config: list[str] = []
    if table.loaded_at_field is None:
        config.append("          freshness: null")
    elif table.loaded_at_field != "loaded_at":
        config.append(f"          loaded_at_field: {table.loaded_at_field}")
    if isinstance(table, Dataset):
        config += ["          meta:", f"            row_key: [{', '.join(table.key)}]"]
        if table.staging_key:
            config.append(f"            staging_key: [{', '.join(table.staging_key)}]")
    if config:
        lines += ["        config:", *config]
    lines.append("        columns:")
    for column in table.all_columns:
        lines += [
            f"          - name: {column.name}",
            f"            data_type: {column.type}",
            f"            description: {_text(column.description)}",
        ]
    return lines


def render() -> str:
    blocks = ["\n".join(_table(t)) for t in RAW_TABLES.values()]
    return HEADER + "\n\n".join(blocks) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if SOURCES_YML.read_text() != text:
            print(f"{SOURCES_YML} is stale: run python -m ingest.sources_yml", file=sys.stderr)
            return 1
        return 0
    SOURCES_YML.write_text(text)
    print(f"wrote {SOURCES_YML.relative_to(REPO_ROOT)} ({len(RAW_TABLES)} tables)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

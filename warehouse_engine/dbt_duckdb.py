"""``dbt`` on DuckDB that keeps its partial parse across warehouse files of the same name:
``python -m warehouse_engine.dbt_duckdb <dbt args>`` (warehouse_engine/dbt-duckdb, Dagster's dbt).

dbt throws its saved parse away (a full parse: about 9 s on two cores) whenever the profile's
connection details differ from the parse's, and dbt-duckdb counts the database file's path among
them: every other WAREHOUSE_DB (a test's, a benchmark's copy, a UI run worker's) paid a full parse.
What the models can see of the path is the database name, the file's stem ("warehouse"), so the
parse's fingerprint here takes the file name instead of the whole path: a file of another name
(another database name in every relation) is still parsed afresh.
"""

from __future__ import annotations

import sys
from pathlib import Path

from warehouse_engine import dbt_version


def fingerprint_by_file_name() -> None:
    from dbt.parser.manifest import ManifestLoader

    build_state_check = ManifestLoader.build_manifest_state_check

    def by_file_name(self: ManifestLoader):  # type: ignore[no-untyped-def]
        credentials = self.root_project.credentials
        # the file is attached (profiles.yml): the attachments' paths as well as the main one
        holders = [credentials, *(getattr(credentials, "attach", None) or [])]
        paths = [(holder, getattr(holder, "path", None)) for holder in holders]
        for holder, path in paths:
            if path and path != ":memory:":
                holder.path = Path(path).name
        try:
            return build_state_check(self)
        finally:
            for holder, path in paths:
                if path and path != ":memory:":
                    holder.path = path

    ManifestLoader.build_manifest_state_check = by_file_name  # type: ignore[method-assign]


def command() -> list[str]:
    """How a Python process starts this dbt: its interpreter on this module (the repository root
    must be on the child's PYTHONPATH or its working directory)."""
    return [sys.executable, "-m", "warehouse_engine.dbt_duckdb"]


def main(argv: list[str]) -> None:
    """dbt's command line; it exits the process with dbt's own exit code."""
    if dbt_version.answered(argv):
        return
    fingerprint_by_file_name()
    from dbt.cli.main import cli

    cli.main(args=argv, prog_name="dbt")


if __name__ == "__main__":
    main(sys.argv[1:])

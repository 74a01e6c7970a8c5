"""``dbt --version`` answered from the installed packages, for the project's dbt launchers.

dagster-dbt runs ``<dbt executable> --version`` before every dbt invocation to learn dbt's major
version (``DbtCliResource._cli_version``). dbt's own answer imports the whole of dbt and asks
PyPI for the latest release: about 2 seconds and a network request in every build, offline
ones included. The installed versions are all that question needs.
"""

from __future__ import annotations

from importlib import metadata

PLUGINS = ("dbt-duckdb", "dbt-spark")


def version_text() -> str:
    """The installed dbt-core and adapter plugins, in dbt's own layout (no "latest" lines)."""
    lines = ["Core:", f"  - installed: {metadata.version('dbt-core')}", "", "Plugins:"]
    for plugin in PLUGINS:
        try:
            lines.append(f"  - {plugin.removeprefix('dbt-')}: {metadata.version(plugin)}")
        except metadata.PackageNotFoundError:
            continue
    return "\n".join(lines)


def answered(argv: list[str]) -> bool:
    """Print the versions and return True when ``argv`` asks only for them."""
    if argv != ["--version"]:
        return False
    print(version_text())
    return True

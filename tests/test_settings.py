"""Configuration in one place: every variable the code reads is declared in ingest/config.py and
listed in the README, nothing but the settings modules reads the environment itself, and nothing
writes it at run time (issue #10)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.config import DECLARED, REPO_ROOT, readme_with_table
from ingest.connectors.live import BASE_URL_ENV

SKIP_DIRS = {".venv", ".git", "target", "dbt_packages", "logs", "node_modules", ".superset"}
SUFFIXES = {".py", ".yml", ".yaml", ".sql", ".sh"}
EXTRA_FILES = {"Makefile", "dbt-spark"}
NAME = r"([A-Z][A-Z0-9_]*[A-Z0-9])"
# The ways a variable is read: Python (os.environ, a Mapping named env, the ingest.config helpers,
# the endpoint's and the BI tool's own helpers), dbt's env_var() and ${NAME} in shell and make.
READS = [
    re.compile(
        r"(?:os\.environ\.get|os\.getenv|\benv\.get|env_value|path_setting|flag_setting|"
        r"number_setting|choice_setting|_number|_port)\(\s*(?:env,\s*)?[\"']" + NAME + r"[\"']"
    ),
    re.compile(r"os\.environ\[[\"']" + NAME + r"[\"']\]"),
    re.compile(r"env_var\(\s*[\"']" + NAME + r"[\"']"),
    re.compile(r"\$\$?\{" + NAME + r"[:}]"),
    re.compile(r"_ENV\s*=\s*[\"']" + NAME + r"[\"']"),
]
# Variables other tools define, which the project only passes on or looks at.
EXTERNAL = {
    "JAVA_HOME",  # Java, for Spark
    "PYSPARK_PYTHON",  # PySpark's worker interpreter
    "PYTHONPATH",
    "DBT_PROJECT_DIR",  # dbt's own (profiles.yml's module_paths fall back to it)
    "PGPASSWORD",  # psql, in the endpoint tests
    "PGCONNECT_TIMEOUT",
    "SUPERSET_CONFIG_PATH",  # Superset's own, set by bi/settings.py for its processes
    "FLASK_APP",
}
# Modules that may read the environment directly: the settings modules themselves, the BI tool
# (its own environment, stdlib only), and scripts run without the repository on sys.path.
DIRECT_READERS = {
    "ingest/config.py",
    "endpoint/settings.py",
    "bi/settings.py",
    "bi/superset_config.py",  # read by Superset itself, in its process
    "bi/dashboard_probe.py",
    "scripts/compare_builds.py",  # python scripts/compare_builds.py: no ingest package importable
    "bench/pipeline_bench.py",
}
# Processes that must set their own environment for a library running inside them (no child
# process to hand an env= to).
ENVIRONMENT_WRITERS = {
    "warehouse_engine/dbt_spark.py",  # dbt's own process: profiles.yml reads WAREHOUSE_ENGINE
    "warehouse_engine/spark_session.py",  # PYSPARK_PYTHON for PySpark in this process
    "warehouse_engine/warm_dbt.py",  # dbt in this process (make study): profiles.yml reads it
    "bi/bootstrap.py",  # Superset's app factory in this process reads SUPERSET_CONFIG_PATH
}
DIRECT_READ = re.compile(r"os\.environ\.get\(|os\.getenv\(|os\.environ\[[^\]]+\](?!\s*=[^=])")
WRITE = re.compile(
    r"os\.environ\[[^\]]+\]\s*=[^=]|os\.environ\.(?:update|setdefault|pop|clear)\(|os\.putenv\("
    r"|^\s*os\.environ\[[^\]]+\],"
)


def project_files() -> list[Path]:
    files = []
    for path in REPO_ROOT.rglob("*"):
        relative = path.relative_to(REPO_ROOT)
        if any(part in SKIP_DIRS for part in relative.parts) or not path.is_file():
            continue
        if path.suffix in SUFFIXES or path.name in EXTRA_FILES:
            files.append(path)
    return files


@pytest.fixture(scope="module")
def sources() -> dict[str, str]:
    return {
        path.relative_to(REPO_ROOT).as_posix(): path.read_text(encoding="utf-8", errors="replace")
        for path in project_files()
    }


def variables_read(sources: dict[str, str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for name, text in sources.items():
        if name == "tests/test_settings.py":
            continue
        for pattern in READS:
            for match in pattern.finditer(text):
                found.setdefault(match.group(1), set()).add(name)
    for variable, _default in BASE_URL_ENV.values():
        found.setdefault(variable, set()).add("ingest/connectors/live.py")
    return found


def test_the_scan_finds_the_readers(sources: dict[str, str]):
    """The patterns do find the reads (a pattern that matched nothing would pass silently)."""
    found = variables_read(sources)
    assert "dbt_project/profiles.yml" in found["WAREHOUSE_DB"]
    assert "ingest/config.py" in found["WAREHOUSE_ENGINE"]
    assert "endpoint/settings.py" in found["SERVE_PORT"]
    assert "bi/settings.py" in found["BI_PORT"]
    assert "warehouse_engine/dbt-spark" in found["WAREHOUSE_PYTHON"]
    assert "ingest/shrink.py" in found["ALLOW_SHRINK"]


def test_every_variable_read_is_declared(sources: dict[str, str]):
    undeclared = {
        name: sorted(files)
        for name, files in variables_read(sources).items()
        if name not in DECLARED and name not in EXTERNAL
    }
    assert not undeclared, f"declare these in ingest/config.py VARIABLES: {undeclared}"


def test_every_declared_variable_is_read_somewhere(sources: dict[str, str]):
    found = variables_read(sources)
    unused = sorted(name for name in DECLARED if name not in found)
    assert not unused, f"declared in ingest/config.py but read nowhere: {unused}"


def test_the_readme_lists_every_variable():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_with_table(readme) == readme, (
        "README.md's Configuration table is out of date: run `python -m ingest.config`"
    )
    for name in DECLARED:
        assert f"| `{name}` |" in readme


def test_only_settings_modules_read_the_environment(sources: dict[str, str]):
    offenders = []
    for name, text in sources.items():
        if name in DIRECT_READERS or not name.endswith(".py") or name == "tests/test_settings.py":
            continue
        for number, line in enumerate(text.splitlines(), 1):
            for match in DIRECT_READ.finditer(line):
                if not any(external in line[match.start() :] for external in EXTERNAL):
                    offenders.append(f"{name}:{number}: {line.strip()}")
    assert not offenders, "read these through ingest.config:\n" + "\n".join(offenders)


def test_nothing_writes_the_environment_at_run_time(sources: dict[str, str]):
    offenders = [
        f"{name}:{number}: {line.strip()}"
        for name, text in sources.items()
        if name.endswith(".py") and name not in ENVIRONMENT_WRITERS
        if name != "tests/test_settings.py"
        for number, line in enumerate(text.splitlines(), 1)
        if WRITE.search(line)
    ]
    assert not offenders, (
        "pass an env= to the child process (or monkeypatch.setenv in tests):\n"
        + "\n".join(offenders)
    )


def test_the_checks_see_the_allowed_exceptions(sources: dict[str, str]):
    """The read and write patterns match the known exceptions (else they could pass silently)."""
    assert WRITE.search(sources["warehouse_engine/dbt_spark.py"])
    assert WRITE.search(sources["bi/bootstrap.py"])
    assert DIRECT_READ.search(sources["bench/pipeline_bench.py"])
    assert not DIRECT_READ.search('env = {**os.environ, "WAREHOUSE_DB": db}')


def test_the_endpoints_defaults_are_the_declared_ones():
    """endpoint/settings.py parses its own variables: its defaults are the documented ones."""
    from endpoint.settings import load_endpoint_settings

    settings = load_endpoint_settings({})
    actual = {
        "SERVE_HOST": settings.host,
        "SERVE_PORT": settings.port,
        "SERVE_USER": settings.user,
        "SERVE_STATEMENT_TIMEOUT": f"{settings.statement_timeout:g}",
        "SERVE_MEMORY_LIMIT": settings.memory_limit,
        "SERVE_MAX_CONNECTIONS": settings.max_connections,
        "SERVE_POLL_SECONDS": f"{settings.poll_seconds:g}",
    }
    for name, value in actual.items():
        assert DECLARED[name].default == f"`{value}`", name

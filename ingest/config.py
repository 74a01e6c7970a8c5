"""Every environment variable of the project: declared once here, read through here.

``VARIABLES`` names each variable with its default and meaning (the README's Configuration table
is generated from it: ``python -m ingest.config``); :func:`load_settings` reads the warehouse's
ones into a typed :class:`Settings`. Paths are relative to the repository root unless absolute.
A bad value raises :class:`SettingsError` naming the variable. Other modules never read
``os.environ`` themselves (tests/test_settings.py checks it); the endpoint reads its variables
with the readers here (endpoint/settings.py), the BI tool parses its own (bi/settings.py: it runs
in its own environment) but declares them here too. This module imports the standard library
only.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)


class SettingsError(ValueError):
    """A variable has a value the project cannot use; the message names the variable."""


@dataclass(frozen=True)
class Variable:
    name: str
    default: str  # as documented: what an unset (or empty) variable means
    meaning: str
    used_by: str = "warehouse"  # warehouse, dbt, endpoint, bi, live, tests


VARIABLES: tuple[Variable, ...] = (
    # -- the warehouse (ingest, dbt, Dagster): load_settings()
    Variable(
        "WAREHOUSE_DB",
        "`warehouse.duckdb` (repo root)",
        "the DuckDB file, for both dbt and Dagster",
    ),
    Variable("LANDING_DIR", "`../shared/raw`", "folder of exports read in landing mode"),
    Variable("INGEST_MODE", "`landing`", "`live` pulls from the public APIs instead"),
    Variable("SERIES_FILE", "`catalog/series.yml`", "the catalog of series"),
    Variable(
        "ASSETS_FILE",
        "(unset)",
        "deprecated alias of `SERIES_FILE`, read for one more release (a warning when used)",
    ),
    Variable("EVENTS_FILE", "`config/events.csv`", "the events of the event studies"),
    Variable("STUDIES_FILE", "`config/studies.yml`", "the event studies (windows, models)"),
    Variable("ARCHIVE_DIR", "`data/archive`", "verbatim copies of every payload, named by SHA-256"),
    Variable(
        "DAGSTER_HOME",
        "`.dagster_home`",
        "Dagster's run history (shared by `make run` and `make ui`; "
        "`<WAREHOUSE_DB>.dagster_home` for another warehouse file)",
    ),
    Variable(
        "SERVING_DB",
        "`serving/warehouse.duckdb`",
        "the read copy published after every green build",
    ),
    Variable(
        "EXPORT_DIR",
        "`exports`",
        "Parquet exports of the published tables (`<schema>/<table>.parquet`)",
    ),
    Variable(
        "FULL", "(unset)", "`1`: reload every source and rebuild every model (`make run FULL=1`)"
    ),
    Variable(
        "ALLOW_SHRINK",
        "(unset)",
        "force loads that drop more than half of a source's rows: `1`, or source/series ids",
    ),
    Variable(
        "WRITER_WAIT_SECONDS",
        "`600`",
        "how long a run waits for the warehouse writer slot or file before giving up",
    ),
    Variable("REPORT_FILE", "`reports/warehouse_report.html`", "the HTML report (`make report`)"),
    Variable("DOCS_DIR", "`reports/dbt-docs`", "the dbt docs site (`make docs`)"),
    Variable(
        "HACK_EVENT_MIN_USD",
        "`100000000`",
        "smallest hack (USD) that becomes an event; dbt var `hack_event_min_usd`",
        "dbt",
    ),
    # -- the engine dbt builds on
    Variable(
        "WAREHOUSE_ENGINE",
        "`duckdb`",
        "`spark` builds the dbt models on Apache Spark "
        "([Growing past one machine](#growing-past-one-machine))",
    ),
    Variable(
        "LAKE_DIR", "`lake`", "on Spark: the raw tables as Parquet, `raw/<table>/part-0.parquet`"
    ),
    Variable(
        "SPARK_WAREHOUSE_DIR",
        "`spark-warehouse`",
        "on Spark: the dbt tables as Parquet, `<schema>.db/<table>/`, with their metastore",
    ),
    Variable("SPARK_MASTER", "`local[2]`", "the local Spark session's master"),
    Variable("SPARK_DRIVER_MEMORY", "`4g`", "the local Spark session's driver memory"),
    Variable("SPARK_SHUFFLE_PARTITIONS", "`2`", "the local Spark session's shuffle partitions"),
    Variable(
        "SPARK_DBT_TESTS",
        "`all`",
        "on Spark, which dbt tests run: `all`, or `marts` (the marts' data tests only: the parity test)",
    ),
    Variable("SPARK_DBT_THREADS", "`2`", "dbt threads of the local Spark target"),
    Variable(
        "DBT_TARGET",
        "`$WAREHOUSE_ENGINE`",
        "a target of `dbt_project/profiles.yml` (`spark_thrift`, `spark_http` for a cluster)",
        "dbt",
    ),
    Variable("SPARK_HOST", "`localhost`", "cluster targets: the Spark host", "dbt"),
    Variable("SPARK_PORT", "`10000`", "`spark_thrift`: the Thrift server's port", "dbt"),
    Variable("SPARK_USER", "`dbt`", "`spark_thrift`: the user", "dbt"),
    Variable("SPARK_CLUSTER", "(unset)", "`spark_http`: the cluster id", "dbt"),
    Variable("SPARK_TOKEN", "(unset)", "`spark_http`: the access token", "dbt"),
    Variable(
        "WAREHOUSE_PYTHON",
        "`python`",
        "the interpreter `warehouse_engine/dbt-duckdb` and `dbt-spark` run dbt with (set by the pipeline)",
        "dbt",
    ),
    # -- live mode
    Variable(
        "WAREHOUSE_USER_AGENT",
        "the project's URL",
        "contact (URL or e-mail) in the User-Agent sent to the APIs",
        "live",
    ),
    Variable("YAHOO_BASE_URL", "`https://query1.finance.yahoo.com`", "Yahoo chart API", "live"),
    Variable("FRED_BASE_URL", "`https://fred.stlouisfed.org`", "FRED", "live"),
    Variable("BINANCE_BASE_URL", "`https://api.binance.com`", "Binance klines API", "live"),
    Variable("DEFILLAMA_BASE_URL", "`https://api.llama.fi`", "DeFiLlama hacks API", "live"),
    Variable("FARSIDE_BASE_URL", "`https://farside.co.uk`", "Farside ETF flows", "live"),
    # -- the SQL endpoint (endpoint/settings.py)
    Variable("SERVE_HOST", "`127.0.0.1`", "address the endpoint listens on", "endpoint"),
    Variable("SERVE_PORT", "`5433`", "the endpoint's port (`0`: any free port)", "endpoint"),
    Variable("SERVE_USER", "`warehouse`", "the endpoint's user", "endpoint"),
    Variable("SERVE_PASSWORD", "(generated)", "the endpoint's password", "endpoint"),
    Variable(
        "SERVE_PASSWORD_FILE",
        "`endpoint_password` beside `SERVING_DB`",
        "where a generated password is kept",
        "endpoint",
    ),
    Variable("SERVE_STATEMENT_TIMEOUT", "`30`", "seconds a query may run at most", "endpoint"),
    Variable("SERVE_MEMORY_LIMIT", "`2GB`", "DuckDB memory limit of the served copy", "endpoint"),
    Variable("SERVE_THREADS", "cores, at most 4", "DuckDB threads of the served copy", "endpoint"),
    Variable("SERVE_MAX_CONNECTIONS", "`64`", "concurrent client connections", "endpoint"),
    Variable(
        "SERVE_POLL_SECONDS", "`1`", "how often a newly published copy is looked for", "endpoint"
    ),
    # -- the BI tool (bi/settings.py, its own environment)
    Variable("BI_PORT", "`8088`", "Apache Superset's port (`make bi`)", "bi"),
    Variable("BI_ADMIN_USER", "`admin`", "Superset's admin user", "bi"),
    Variable("BI_ADMIN_PASSWORD", "(generated once)", "Superset's admin password", "bi"),
    Variable("SUPERSET_HOME", "`bi/.superset`", "Superset's metadata and secret key", "bi"),
    # -- tests only
    Variable(
        "EVENT_STUDY_TEST_DB",
        "(unset)",
        "a built warehouse the event-study tests read instead of building one",
        "tests",
    ),
    Variable(
        "ENDPOINT_PUBLISHED_COPY",
        "(unset)",
        "a published copy the endpoint tests serve instead of building one",
        "tests",
    ),
    Variable(
        "POSTGRES_JDBC_JAR",
        "`/usr/share/java/postgresql.jar`",
        "the PostgreSQL JDBC driver of the JDBC test",
        "tests",
    ),
)
DECLARED: dict[str, Variable] = {v.name: v for v in VARIABLES}
ENGINES = ("duckdb", "spark")
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


def env_value(name: str, env: Mapping[str, str] | None = None) -> str:
    """The variable's value, stripped ("" when unset); only declared variables may be read."""
    if name not in DECLARED:
        raise KeyError(f"{name} is not declared in ingest/config.py VARIABLES")
    return (os.environ if env is None else env).get(name, "").strip()


def path_setting(name: str, default: Path, env: Mapping[str, str] | None = None) -> Path:
    value = env_value(name, env)
    if not value:
        return default
    path = Path(value).expanduser()
    return path if path.is_absolute() else (REPO_ROOT / path)


def flag_setting(name: str, env: Mapping[str, str] | None = None) -> bool:
    value = env_value(name, env).lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingsError(f"{name} must be 1/true/yes or 0/false/no (or unset), not {value!r}")


def number_setting(
    name: str,
    default: float,
    env: Mapping[str, str] | None = None,
    minimum: float = 0.0,
    kind: type[float] | type[int] = float,
) -> float:
    """A number (``kind`` int: a whole one) of at least ``minimum``; ``default`` when unset."""
    value = env_value(name, env)
    if not value:
        return default
    try:
        number = kind(value)
    except ValueError:
        raise SettingsError(f"{name} must be a number, not {value!r}") from None
    if number < minimum:
        raise SettingsError(f"{name} must be at least {minimum:g}, not {value!r}")
    return number


def choice_setting(
    name: str, choices: tuple[str, ...], env: Mapping[str, str] | None = None
) -> str:
    """One of ``choices`` (case-insensitive); the first when unset."""
    value = env_value(name, env).lower() or choices[0]
    if value not in choices:
        raise SettingsError(f"{name} must be one of {choices}, not {value!r}")
    return value


@dataclass(frozen=True)
class Settings:
    warehouse_db: Path
    landing_dir: Path
    series_file: Path  # the catalog of series (SERIES_FILE)
    archive_dir: Path
    ingest_mode: str  # "landing" (offline, default) or "live"
    serving_db: Path  # the read copy published for readers after every green build
    export_dir: Path  # Parquet exports of the published tables, one folder per schema
    # WAREHOUSE_ENGINE: "duckdb" (default: dbt builds inside warehouse_db) or "spark" (raw tables
    # exported as Parquet to lake_dir, dbt builds on Spark into spark_warehouse_dir).
    engine: str = "duckdb"
    lake_dir: Path = REPO_ROOT / "lake"
    spark_warehouse_dir: Path = REPO_ROOT / "spark-warehouse"
    events_file: Path = REPO_ROOT / "config" / "events.csv"
    studies_file: Path = REPO_ROOT / "config" / "studies.yml"
    report_file: Path = REPO_ROOT / "reports" / "warehouse_report.html"
    docs_dir: Path = REPO_ROOT / "reports" / "dbt-docs"
    full: bool = False  # FULL: reload and rebuild everything, changed or not
    writer_wait_seconds: float = 600.0
    dbt_target: str = ""  # DBT_TARGET; "" means the engine's own target

    @property
    def is_live(self) -> bool:
        return self.ingest_mode == "live"

    def dbt_env(self) -> dict[str, str]:
        """What the dbt process must see besides the inherited environment: dbt runs in
        dbt_project/, so every path is handed over resolved."""
        env = {
            "WAREHOUSE_DB": str(self.warehouse_db),
            "WAREHOUSE_ENGINE": self.engine,
            "LAKE_DIR": str(self.lake_dir),
            "SPARK_WAREHOUSE_DIR": str(self.spark_warehouse_dir),
            # warehouse_engine/dbt-spark runs dbt with the pipeline's interpreter
            "WAREHOUSE_PYTHON": sys.executable,
            # dbt's lines go to logs/make_run.log and Dagster's event log, never a terminal
            "DBT_USE_COLORS": "false",
        }
        if self.dbt_target:
            env["DBT_TARGET"] = self.dbt_target
        return env


def engine_setting(env: Mapping[str, str] | None = None) -> str:
    """WAREHOUSE_ENGINE: the engine dbt builds the models on (duckdb unless set)."""
    return choice_setting("WAREHOUSE_ENGINE", ENGINES, env)


_deprecation_warned: set[str] = set()


def series_file_setting(env: Mapping[str, str] | None = None) -> Path:
    """SERIES_FILE: the catalog of series. ASSETS_FILE, its former name, still works for one
    release: set alone it is used, with a warning (once per process); set together with
    SERIES_FILE it must name the same file."""
    default = REPO_ROOT / "catalog" / "series.yml"
    series = path_setting("SERIES_FILE", default, env)
    if not env_value("ASSETS_FILE", env):
        return series
    alias = path_setting("ASSETS_FILE", default, env)
    if env_value("SERIES_FILE", env) and alias != series:
        raise SettingsError(
            f"SERIES_FILE ({series}) and ASSETS_FILE ({alias}) name different catalogs: "
            "ASSETS_FILE is the deprecated name of SERIES_FILE, unset it"
        )
    if "ASSETS_FILE" not in _deprecation_warned:
        _deprecation_warned.add("ASSETS_FILE")
        log.warning(
            "ASSETS_FILE is deprecated in favour of SERIES_FILE (same meaning): reading the "
            "catalog %s; set SERIES_FILE instead",
            alias,
        )
    return alias


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """The warehouse's settings from ``env`` (default: this process's environment)."""
    return Settings(
        warehouse_db=path_setting("WAREHOUSE_DB", REPO_ROOT / "warehouse.duckdb", env),
        landing_dir=path_setting("LANDING_DIR", REPO_ROOT.parent / "shared" / "raw", env),
        series_file=series_file_setting(env),
        archive_dir=path_setting("ARCHIVE_DIR", REPO_ROOT / "data" / "archive", env),
        ingest_mode=choice_setting("INGEST_MODE", ("landing", "live"), env),
        serving_db=path_setting("SERVING_DB", REPO_ROOT / "serving" / "warehouse.duckdb", env),
        export_dir=path_setting("EXPORT_DIR", REPO_ROOT / "exports", env),
        engine=engine_setting(env),
        lake_dir=path_setting("LAKE_DIR", REPO_ROOT / "lake", env),
        spark_warehouse_dir=path_setting("SPARK_WAREHOUSE_DIR", REPO_ROOT / "spark-warehouse", env),
        events_file=path_setting("EVENTS_FILE", REPO_ROOT / "config" / "events.csv", env),
        studies_file=path_setting("STUDIES_FILE", REPO_ROOT / "config" / "studies.yml", env),
        report_file=path_setting(
            "REPORT_FILE", REPO_ROOT / "reports" / "warehouse_report.html", env
        ),
        docs_dir=path_setting("DOCS_DIR", REPO_ROOT / "reports" / "dbt-docs", env),
        full=flag_setting("FULL", env),
        writer_wait_seconds=number_setting("WRITER_WAIT_SECONDS", 600.0, env),
        dbt_target=env_value("DBT_TARGET", env),
    )


def warehouse_environment(warehouse_db: Path, landing_dir: Path) -> dict[str, str]:
    """The variables of a build into ``warehouse_db`` that is kept apart from the repository's
    own (tests, benchmarks): every other file the run writes (the published copy and its
    exports, the payload archive, the report, Dagster's run history) goes beside that file, and
    the exports are read from ``landing_dir``, offline. Only these variables: callers add them
    to an environment."""
    folder = warehouse_db.parent
    return {
        "WAREHOUSE_DB": str(warehouse_db),
        "SERVING_DB": str(folder / "serving" / "warehouse.duckdb"),
        "EXPORT_DIR": str(folder / "exports"),
        "ARCHIVE_DIR": str(folder / "archive"),
        "REPORT_FILE": str(folder / "report.html"),
        "DAGSTER_HOME": str(folder / ".dagster_home"),
        "LANDING_DIR": str(landing_dir),
        "INGEST_MODE": "landing",
    }


README_START = "<!-- settings table: generated by `python -m ingest.config`, do not edit -->"
README_END = "<!-- end of settings table -->"


def markdown_table() -> str:
    """The README's Configuration table, one row per declared variable."""
    rows = ["| variable | default | used by | meaning |", "|---|---|---|---|"]
    rows += [f"| `{v.name}` | {v.default} | {v.used_by} | {v.meaning} |" for v in VARIABLES]
    return "\n".join(rows)


def readme_with_table(readme: str) -> str:
    """``readme`` with the text between the table markers replaced by the current table."""
    head, _, rest = readme.partition(README_START)
    _, found, tail = rest.partition(README_END)
    if not found:
        raise ValueError(f"README.md lacks the markers {README_START!r} ... {README_END!r}")
    return f"{head}{README_START}\n{markdown_table()}\n{README_END}{tail}"


if __name__ == "__main__":  # python -m ingest.config: rewrite the README's table
    readme = REPO_ROOT / "README.md"
    readme.write_text(readme_with_table(readme.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"{len(VARIABLES)} variables written to {readme}")

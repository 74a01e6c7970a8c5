"""``dbt`` on the local Spark session: ``python -m warehouse_engine.dbt_spark <dbt args>``.

The session (warehouse folder, metastore, Python functions) is started before dbt's CLI runs in
this same process, so dbt-spark's ``session`` method picks it up. Commands that never query the
engine (``--version``, ``parse``, ``ls``, ``deps``, ``clean``) start no JVM.
"""

from __future__ import annotations

import os
import sys

from ingest.config import env_value
from warehouse_engine import dbt_version

NO_ENGINE = {"--version", "parse", "ls", "list", "deps", "clean"}


def main(argv: list[str]) -> int:
    if dbt_version.answered(argv):
        return 0
    # This process is dbt's: profiles.yml picks its target from WAREHOUSE_ENGINE in this very
    # environment, so set it here, before dbt starts (no child process to hand an env to).
    os.environ["WAREHOUSE_ENGINE"] = "spark"
    # A cluster target (DBT_TARGET=spark_thrift, spark_http) needs no local session.
    local = (env_value("DBT_TARGET") or "spark") == "spark"
    if local and not NO_ENGINE & set(argv[:1]) and "--version" not in argv:
        from ingest.config import load_settings
        from warehouse_engine.lake import register_tables
        from warehouse_engine.spark_session import start_session

        settings = load_settings()
        # The raw sources: the lake's Parquet folders as external tables raw.<table>.
        register_tables(start_session(settings), settings.lake_dir)
    # The `dbt` command itself (its exit codes and output), in this process.
    from dbt.cli.main import cli

    cli.main(args=argv, prog_name="dbt")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

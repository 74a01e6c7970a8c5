"""The local Spark session dbt-spark's ``session`` method runs on (development, CI, make run).

dbt-spark's session cursor calls ``SparkSession.builder.getOrCreate()`` for every statement, so
the session created here first (with the warehouse folder, the metastore and the functions of
:mod:`warehouse_engine.spark_udfs`) is the one every model runs on.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from ingest.config import Settings, env_value, load_settings

# Spark 4 needs Java 17 or newer (Debian: openjdk-17-jre-headless, installed by .ci/run).
JAVA_HINT = "Spark needs Java 17+: apt-get install openjdk-17-jre-headless (see .ci/run)"


def spark_conf(settings: Settings) -> dict[str, str]:
    """Spark settings of the local session: tables under SPARK_WAREHOUSE_DIR with their
    metastore beside them, UTC, and partitions sized for one machine."""
    warehouse = settings.spark_warehouse_dir
    return {
        "spark.master": env_value("SPARK_MASTER") or "local[2]",
        "spark.app.name": "event-study-warehouse-dbt",
        "spark.driver.memory": env_value("SPARK_DRIVER_MEMORY") or "4g",
        "spark.sql.warehouse.dir": str(warehouse),
        # The Hive metastore (dbt-spark enables Hive support) as an embedded Derby database in
        # the warehouse folder, so every process that opens the folder sees the same tables.
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={warehouse / 'metastore_db'};create=true"
        ),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={warehouse}",
        # Every instant is UTC: DuckDB's naive TIMESTAMPs and its TIMESTAMPTZs both read as
        # Spark TIMESTAMPs in a UTC session (no TIMESTAMP_NTZ mixed in).
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.parquet.inferTimestampNTZ.enabled": "false",
        # DuckDB's semantics: no ANSI errors on overflow or bad casts (dbt-spark forces it too).
        "spark.sql.ansi.enabled": "false",
        # String literals as DuckDB reads them: a backslash is a backslash, so one regular
        # expression ('\bbridge\b') serves both engines.
        "spark.sql.parser.escapedStringLiterals": "true",
        # Tens of thousands of rows, not billions: 200 shuffle partitions would cost more than
        # the work. A cluster profile leaves Spark's default (adaptive execution coalesces).
        "spark.sql.shuffle.partitions": env_value("SPARK_SHUFFLE_PARTITIONS") or "2",
        # Parquet any engine reads: INT64 microsecond timestamps, not Spark's legacy INT96.
        "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        # The pandas UDFs run in this interpreter's environment.
        "spark.pyspark.python": sys.executable,
        "spark.pyspark.driver.python": sys.executable,
    }


def require_java() -> None:
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise RuntimeError(f"no Java found (JAVA_HOME unset, no java on PATH). {JAVA_HINT}")


def start_session(settings: Settings | None = None):
    """The process's Spark session with the warehouse's settings and functions."""
    from pyspark.sql import SparkSession

    from warehouse_engine import spark_udfs

    settings = settings or load_settings()
    require_java()
    Path(settings.spark_warehouse_dir).mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.enableHiveSupport()
    for key, value in spark_conf(settings).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    spark_udfs.register(spark)
    return spark

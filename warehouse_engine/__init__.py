"""The engine dbt builds the models on: DuckDB (default) or Apache Spark (WAREHOUSE_ENGINE=spark).

The ingest always writes DuckDB's ``raw.*`` (one writer, the same code on both engines). On Spark
the raw tables are then exported as Parquet to ``LAKE_DIR`` (:mod:`warehouse_engine.lake`), dbt
reads them there as sources and writes its tables as Parquet under ``SPARK_WAREHOUSE_DIR`` in
Spark's layout (``<schema>.db/<table>/``), through a local Spark session
(:mod:`warehouse_engine.spark_session`) that also carries the Python functions Spark SQL lacks
(:mod:`warehouse_engine.spark_udfs`).
"""

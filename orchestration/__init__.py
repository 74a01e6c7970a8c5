"""Dagster definitions: thin glue that names, wires and observes ``ingest/`` and ``dbt_project/``."""

"""Plain-Python ingestion: catalog, transports, parsers and the DuckDB loader (no Dagster here)."""

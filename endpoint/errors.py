"""DuckDB errors as Postgres errors: the SQLSTATE a client's error handling expects."""

from __future__ import annotations

import re

import duckdb
from pg_mimic import PgError

QUERY_CANCELED = "57014"
OUT_OF_MEMORY = "53200"
INSUFFICIENT_PRIVILEGE = "42501"


def _message(error: BaseException) -> str:
    """DuckDB's message without its 'Catalog Error: ' style prefix and caret diagram."""
    text = str(error).strip()
    first = text.split("\n\n")[0].strip()
    return re.sub(r"^[A-Za-z ]+ Error: ", "", first)


def _classify(error: duckdb.Error, message: str) -> str:
    lowered = message.lower()
    if isinstance(error, duckdb.CatalogException):
        if "table" in lowered or "relation" in lowered or "view" in lowered:
            return "42P01"  # undefined_table
        if "schema" in lowered:
            return "3F000"  # invalid_schema_name
        if "function" in lowered or "macro" in lowered:
            return "42883"  # undefined_function
        return "42704"  # undefined_object
    if isinstance(error, duckdb.BinderException):
        if "column" in lowered:
            return "42703"  # undefined_column
        if "function" in lowered:
            return "42883"
        return "42000"
    if isinstance(error, duckdb.ParserException):
        return "42601"  # syntax_error
    if isinstance(error, duckdb.ConversionException):
        return "22P02"  # invalid_text_representation
    if isinstance(error, duckdb.OutOfRangeException):
        return "22003"  # numeric_value_out_of_range
    if isinstance(error, duckdb.InvalidInputException):
        return "22023"
    if isinstance(error, duckdb.NotImplementedException):
        return "0A000"  # feature_not_supported
    return "XX000"


def to_pg_error(error: duckdb.Error, *, timed_out: bool = False, timeout: float = 0) -> PgError:
    if isinstance(error, duckdb.InterruptException):
        if timed_out:
            return PgError(
                QUERY_CANCELED,
                f"canceling statement due to statement timeout ({timeout:g}s)",
                H="Narrow the query, or raise SERVE_STATEMENT_TIMEOUT on the endpoint.",
            )
        return PgError(QUERY_CANCELED, "canceling statement due to user request")
    message = _message(error)
    if isinstance(error, duckdb.OutOfMemoryException):
        return PgError(
            OUT_OF_MEMORY,
            f"out of memory: {message}",
            H="The query needs more than SERVE_MEMORY_LIMIT; aggregate or filter it more.",
        )
    if isinstance(error, duckdb.PermissionException):
        return PgError(
            INSUFFICIENT_PRIVILEGE,
            f"file and network access is disabled on this read-only endpoint ({message})",
            H="Query the published tables; files, URLs and other databases are out of reach.",
        )
    return PgError(_classify(error, message), message)

"""What a client may run: one read-only query per statement, nothing that writes, loads or reaches out.

Two layers. DuckDB's own guards are set on every published version (read-only attach,
``enable_external_access=false``, ``lock_configuration=true``, no extension autoload), so even a
statement this module misjudged cannot write the file, read another or change an engine option.
In front of them this allowlist refuses, with a Postgres SQLSTATE and a sentence a person can act
on, everything that is not a query: DuckDB's parser gives each statement's type, and only SELECT
(and EXPLAIN of one) passes; a few table functions that change engine state are refused by name.
"""

from __future__ import annotations

import json
import re

import duckdb
from pg_mimic import PgError

READ_ONLY_SQL_TRANSACTION = "25006"
INSUFFICIENT_PRIVILEGE = "42501"
SYNTAX_ERROR = "42601"

_LEADING_NOISE = re.compile(r"^(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)+", re.DOTALL)
_TRAILING_NOISE = re.compile(r"(?:\s|;)+$")

# Refused by their first keyword, before any parsing: DuckDB's parser reads the files an IMPORT
# names, and Postgres-only commands would otherwise only get a confusing syntax error.
_WRITE_KEYWORDS = {
    "INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "TRUNCATE", "CREATE", "DROP", "ALTER",
    "COMMENT", "GRANT", "REVOKE", "REINDEX", "CLUSTER", "VACUUM", "ANALYZE", "REFRESH",
}  # fmt: skip
_PRIVILEGED_KEYWORDS = {
    "ATTACH": "attaching another database",
    "DETACH": "detaching a database",
    "COPY": "COPY (reading or writing files)",
    "EXPORT": "EXPORT DATABASE (writing files)",
    "IMPORT": "IMPORT DATABASE (reading files)",
    "INSTALL": "installing extensions",
    "LOAD": "loading extensions",
    "FORCE": "installing extensions",
    "CHECKPOINT": "CHECKPOINT",
    "CALL": "CALL",
    "PRAGMA": "PRAGMA (read-only pragmas have table functions: SELECT * FROM pragma_version())",
    "USE": "USE (set search_path instead)",
    "PREPARE": "SQL-level PREPARE (use your driver's prepared statements)",
    "EXECUTE": "SQL-level EXECUTE",
    "LISTEN": "LISTEN/NOTIFY",
    "NOTIFY": "LISTEN/NOTIFY",
    "UNLISTEN": "LISTEN/NOTIFY",
    "LOCK": "LOCK",
    "DO": "DO blocks",
    "SET": "changing engine settings",
    "RESET": "changing engine settings",
}

# Table functions that change engine state, run SQL given as data, or scan process memory.
DENIED_FUNCTIONS = {
    "checkpoint", "force_checkpoint", "enable_logging", "disable_logging", "enable_profiling",
    "disable_profiling", "truncate_duckdb_logs", "json_execute_serialized_sql", "query",
    "python_map_function", "pandas_scan", "arrow_scan", "arrow_scan_dumb",
}  # fmt: skip
_DENIED_CALL = re.compile(r"\b(" + "|".join(sorted(DENIED_FUNCTIONS)) + r")\s*\(", re.IGNORECASE)

_ALLOWED_TYPES = {duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN}


def strip_statement(sql: str) -> str:
    """The statement without leading comments and whitespace or trailing ';'."""
    return _TRAILING_NOISE.sub("", _LEADING_NOISE.sub("", sql))


def first_keyword(sql: str) -> str:
    match = re.match(r"[A-Za-z]+", sql)
    return match.group(0).upper() if match else ""


def check_keyword(sql: str) -> None:
    """Refuse by the statement's first keyword (the caller strips comments first)."""
    keyword = first_keyword(sql)
    if keyword in _WRITE_KEYWORDS:
        raise refusal_read_only(f"{keyword} is not allowed")
    if keyword in _PRIVILEGED_KEYWORDS:
        raise refusal_privilege(f"{_PRIVILEGED_KEYWORDS[keyword]} is not allowed")
    if keyword == "EXPLAIN":
        inner = re.sub(r"^EXPLAIN\s+(?:ANALY[SZ]E\s+)?(?:\([^)]*\)\s*)?", "", sql, flags=re.I)
        if first_keyword(inner) not in ("SELECT", "WITH", "FROM", "VALUES", "TABLE", ""):
            check_keyword(inner)


def check_statement(cursor: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Refuse ``sql`` unless it is exactly one query; raises PgError with a Postgres SQLSTATE.

    ``cursor`` must belong to a locked-down version: parsing some statements touches files.
    """
    check_keyword(sql)
    try:
        statements = cursor.extract_statements(sql)
    except duckdb.Error as error:
        raise PgError(SYNTAX_ERROR, _first_line(str(error))) from None
    if len(statements) > 1 and first_keyword(sql) in ("PIVOT", "UNPIVOT"):
        raise refusal_read_only(
            "a PIVOT without an IN (...) list creates a temporary type, which is not allowed; "
            "list the pivot values (PIVOT ... ON column IN (...))"
        )
    if len(statements) != 1:
        raise PgError(
            SYNTAX_ERROR,
            "send one statement at a time (this statement holds "
            f"{len(statements)}); multi-statement strings are split only by psql-style clients",
        )
    statement_type = statements[0].type
    if statement_type not in _ALLOWED_TYPES:
        name = getattr(statement_type, "name", str(statement_type))
        if name in ("CREATE", "INSERT", "UPDATE", "DELETE", "DROP", "ALTER", "TRANSACTION"):
            raise refusal_read_only(f"{name} statements are not allowed")
        raise refusal_privilege(f"{name} statements are not allowed")
    if _DENIED_CALL.search(sql):
        for function in _function_names(cursor, sql):
            if function in DENIED_FUNCTIONS:
                raise refusal_privilege(f"the function {function}() is not allowed")


def _function_names(cursor: duckdb.DuckDBPyConnection, sql: str) -> set[str]:
    """Every function the query calls, from DuckDB's own parse tree (not a regex guess)."""
    serialized = cursor.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()[0]
    names: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            name = node.get("function_name")
            if isinstance(name, str):
                names.add(name.lower())
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(serialized))
    return names


def refusal_read_only(what: str) -> PgError:
    return PgError(
        READ_ONLY_SQL_TRANSACTION,
        f"{what}: this endpoint serves a read-only copy of the warehouse",
        H="Only queries (SELECT) are allowed; the warehouse is changed by `make run`.",
    )


def refusal_privilege(what: str) -> PgError:
    return PgError(
        INSUFFICIENT_PRIVILEGE,
        f"{what} on this read-only endpoint",
        H="Only queries over the published tables are allowed: no files, network, "
        "extensions or engine settings.",
    )


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else message

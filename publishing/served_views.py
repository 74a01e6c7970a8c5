"""The relations the read copy keeps as views, over copies of the tables they are computed from.

``marts.fct_abnormal_returns`` is pairs x days: stored as a table it is most of the copy at scale
(73 million rows of 78 at 10,000 events; 3.3 GB and most of a 90 s publish), while the tables it
is computed from hold a row per estimation unit or per session (a few hundred thousand). So the
copy keeps it a view, as the warehouse does, over copies of those tables (``intermediate.int_es_*``,
internal: their shape may change between releases): a reader computes the rows it asks for, and a
filter on study, event or asset reads that pair's unit only. Its Parquet file still holds every row
(Parquet readers cannot compute a view).

A view's SQL is the warehouse's own, parsed by DuckDB (``json_serialize_sql``) and written back
without the private catalog's name in its table references: a view binds in its own database, so
the copy stands alone under whatever name a client opens it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import duckdb

from publishing.sql import quote

SERVED_AS_VIEWS = ("marts.fct_abnormal_returns",)


class ServedViewError(RuntimeError):
    """A served view whose SQL the publish cannot carry into the copy."""


@dataclass(frozen=True)
class ServedView:
    schema: str
    name: str
    query: str  # its SELECT, the table references without a catalog

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass
class ViewPlan:
    """What the copy needs for the served views: the views, dependencies first, and the tables
    they read (``schema.name``)."""

    views: list[ServedView] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)


def _view_sql(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> str | None:
    row = con.execute(
        "select sql from duckdb_views() "
        "where database_name = current_database() and schema_name = ? and view_name = ?",
        [schema, name],
    ).fetchone()
    return None if row is None else row[0]


def _is_table(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return (
        con.execute(
            "select count(*) from duckdb_tables() "
            "where database_name = current_database() and schema_name = ? and table_name = ?",
            [schema, name],
        ).fetchone()[0]
        == 1
    )


# DuckDB's CREATE VIEW, as duckdb_views() gives it: identifiers quoted where they must be
_IDENTIFIER = r'(?:"(?:[^"]|"")*"|[^\s."]+)'
_CREATE_VIEW = re.compile(rf"CREATE VIEW ({_IDENTIFIER})\.({_IDENTIFIER}) AS ")


def _unquoted(identifier: str) -> str:
    if identifier.startswith('"'):
        return identifier[1:-1].replace('""', '"')
    return identifier


def _query_of(create_sql: str, schema: str, name: str) -> str:
    """The SELECT of DuckDB's ``CREATE VIEW schema.name AS ...;``."""
    head = _CREATE_VIEW.match(create_sql)
    if head is None or (_unquoted(head[1]), _unquoted(head[2])) != (schema, name):
        raise ServedViewError(f"{schema}.{name}: unexpected view definition {create_sql[:80]!r}")
    return create_sql[head.end() :].rstrip().rstrip(";")


def _local_references(node: Any, catalog: str, found: list[tuple[str, str]]) -> None:
    """Collect the (schema, table) references into ``catalog`` and drop the catalog's name."""
    if isinstance(node, dict):
        if node.get("type") == "BASE_TABLE" and node.get("catalog_name") == catalog:
            found.append((node["schema_name"], node["table_name"]))
            node["catalog_name"] = ""
        for value in node.values():
            _local_references(value, catalog, found)
    elif isinstance(node, list):
        for value in node:
            _local_references(value, catalog, found)


def _rewritten(
    con: duckdb.DuckDBPyConnection, catalog: str, schema: str, name: str, create_sql: str
) -> tuple[str, list[tuple[str, str]]]:
    """The view's query without ``catalog`` in its references, and what it references there."""
    tree = json.loads(
        con.execute(
            "select json_serialize_sql(?)", [_query_of(create_sql, schema, name)]
        ).fetchone()[0]
    )
    if tree.get("error"):
        raise ServedViewError(f"{schema}.{name}: DuckDB cannot parse its SQL: {tree}")
    references: list[tuple[str, str]] = []
    _local_references(tree, catalog, references)
    query = con.execute("select json_deserialize_sql(?)", [json.dumps(tree)]).fetchone()[0]
    return query, references


def plan_views(con: duckdb.DuckDBPyConnection, keys: tuple[str, ...] = SERVED_AS_VIEWS) -> ViewPlan:
    """The served views of ``keys`` that are views in ``con``'s current database, with every view
    and table they read, however deep."""
    catalog = con.execute("select current_database()").fetchone()[0]
    plan = ViewPlan()
    seen: set[tuple[str, str]] = set()

    def visit(schema: str, name: str) -> None:
        if (schema, name) in seen:
            return
        seen.add((schema, name))
        create_sql = _view_sql(con, schema, name)
        if create_sql is None:
            if not _is_table(con, schema, name):
                raise ServedViewError(f"{schema}.{name}: read by a served view, not in the build")
            plan.tables.append(f"{schema}.{name}")
            return
        query, references = _rewritten(con, catalog, schema, name, create_sql)
        for ref_schema, ref_name in references:
            visit(ref_schema, ref_name)
        plan.views.append(ServedView(schema, name, query))  # after what it reads

    for key in keys:
        schema, name = key.split(".", 1)
        if _view_sql(con, schema, name) is not None:
            visit(schema, name)
    return plan


def create_views(con: duckdb.DuckDBPyConnection, plan: ViewPlan, target: str) -> None:
    """Create the plan's views in the attached database ``target`` (its tables copied already)."""
    for view in plan.views:
        con.execute(f"create schema if not exists {target}.{quote(view.schema)}")
        con.execute(f"create view {target}.{quote(view.schema)}.{quote(view.name)} as {view.query}")

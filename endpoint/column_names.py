"""Result column names as Postgres gives them to unnamed expressions.

DuckDB names ``count(*)`` ``count_star()`` and ``1 + 1`` ``(1 + 1)``; Postgres says ``count`` and
``?column?``. BI tools show and sometimes key on these names, so unaliased result columns are
renamed the Postgres way. Aliased columns and plain column references are never touched.
"""

from __future__ import annotations

import functools
import re

import sqlglot
from sqlglot import exp

_GENERATED = re.compile(r"[()\s'\"*+\-/<>=|:]|^\d")


def pg_output_name(node: exp.Expression) -> str | None:
    """Postgres's name for an unaliased select-list expression (None: keep the engine's name)."""
    if isinstance(node, exp.Column):
        return None if isinstance(node.this, exp.Star) else node.name
    if isinstance(node, exp.Dot) and isinstance(node.expression, exp.Func):
        return pg_output_name(node.expression)
    if isinstance(node, exp.Cast):
        inner = node.this
        if isinstance(inner, exp.Column):
            return inner.name
        if isinstance(inner, exp.Func | exp.Cast | exp.Case | exp.Paren):
            return pg_output_name(inner)
        return node.to.sql(dialect="postgres").lower().split(".")[-1].split("(")[0]
    if isinstance(node, exp.Window | exp.Paren | exp.Filter):
        return pg_output_name(node.this)
    if isinstance(node, exp.Case):
        return "case"
    if isinstance(node, exp.Subquery) and isinstance(node.this, exp.Select):
        first = node.this.expressions[0] if node.this.expressions else None
        if isinstance(first, exp.Alias):
            return first.alias
        return pg_output_name(first) if first is not None else "?column?"
    if isinstance(node, exp.Anonymous):
        return str(node.this).lower().split(".")[-1]
    if isinstance(node, exp.Func):
        return node.sql_name().lower()
    return "?column?"


def postgres_names(sql: str, engine_names: list[str]) -> list[str]:
    """``engine_names`` with the generated ones replaced by Postgres's names, when they can be
    matched one to one with the statement's select list; otherwise unchanged."""
    if not any(_GENERATED.search(name) for name in engine_names):
        return engine_names
    return list(_renamed(sql, tuple(engine_names)))


@functools.lru_cache(maxsize=512)
def _renamed(sql: str, engine_names: tuple[str, ...]) -> tuple[str, ...]:
    try:
        tree = sqlglot.parse_one(sql, dialect="duckdb")
    except sqlglot.errors.ParseError:
        return engine_names
    select = tree if isinstance(tree, exp.Select) else None
    if select is None or len(select.expressions) != len(engine_names):
        return engine_names  # stars, set operations, DESCRIBE...: leave DuckDB's names
    names = []
    for projection, engine_name in zip(select.expressions, engine_names, strict=True):
        if isinstance(projection, exp.Alias):
            names.append(engine_name)
            continue
        name = pg_output_name(projection)
        names.append(name if name is not None else engine_name)
    return tuple(names)

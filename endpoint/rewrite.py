"""Rewrites of client catalog and session queries into DuckDB SQL over the emulated catalog.

Clients (psql's \\d family, SQLAlchemy's inspector, pgjdbc's DatabaseMetaData behind Metabase and
DBeaver, Superset through psycopg2) read pg_catalog and information_schema and call Postgres's
catalog functions. Such a query is parsed with sqlglot's Postgres dialect, pointed at
memory.pgcat / memory.pginfo (see catalog.py), has its session functions replaced by this
session's values, and is printed as DuckDB SQL. Queries that touch none of that go to DuckDB as
written, untouched, so analysts' SQL never depends on this module.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import sqlglot
from pg_mimic import PgError
from sqlglot import exp

from endpoint.catalog import CATALOG_SCHEMA, INFO_SCHEMA, WAREHOUSE, CatalogInfo
from endpoint.catalog_tables import INFORMATION_SCHEMA, PG_CATALOG
from endpoint.column_names import pg_output_name

log = logging.getLogger(__name__)

_MENTIONS_CATALOG = re.compile(
    r"\b(pg_\w+|information_schema|version|current_schemas?|current_database|current_catalog|"
    r"current_user|session_user|current_role|current_setting|set_config|col_description|"
    r"obj_description|shobj_description|format_type|format|reg(class|type|proc|procedure|namespace|role)|"
    r"has_\w+_privilege|inet_server_\w+|txid_current|array_(upper|lower)|to_reg\w+|quote_ident)\b",
    re.IGNORECASE,
)

# Functions answered by the macros catalog.py creates in memory.pgcat.
CATALOG_MACROS = {
    "format_type", "col_description", "obj_description", "shobj_description", "pg_get_userbyid",
    "pg_get_expr", "pg_get_indexdef", "pg_get_constraintdef", "pg_get_viewdef",
    "pg_get_triggerdef", "pg_get_ruledef", "pg_get_partkeydef", "pg_get_function_arguments",
    "pg_get_function_result", "pg_get_function_identity_arguments",
    "pg_get_statisticsobjdef_columns", "pg_get_serial_sequence", "pg_type_is_visible",
    "pg_relation_is_publishable", "pg_tablespace_location", "pg_database_size",
    "pg_tablespace_size", "to_regclass", "to_regtype", "quote_ident",
    "pg_function_is_visible", "pg_collation_is_visible", "pg_relation_size",
    "pg_total_relation_size", "pg_table_size", "pg_indexes_size", "pg_size_pretty",
    "pg_encoding_to_char", "pg_char_to_encoding", "pg_is_in_recovery", "pg_is_other_temp_schema",
    "pg_my_temp_schema", "txid_current", "has_table_privilege", "has_schema_privilege",
    "has_database_privilege", "has_column_privilege", "has_any_column_privilege",
    "has_function_privilege", "has_sequence_privilege", "pg_has_role", "array_lower",
    "array_upper",
}  # fmt: skip
TABLE_MACROS = {"pg_get_keywords"}
_RENAMED_MACROS = {"_pg_expandarray": "pg_expandarray"}
_TEXT_TYPES = {"text", "varchar", "name", "char", '"char"', "bpchar", "character varying"}


@dataclass
class SessionContext:
    """What a rewrite substitutes for the session functions."""

    user: str
    pid: int
    search_path: list[str]
    settings: dict[str, str]
    catalog: CatalogInfo
    server_version: str
    started_at: str
    port: int
    set_config: object = None  # callable(name, value) applying set_config(); None refuses


def mentions_catalog(sql: str) -> bool:
    """Cheap pre-check: could this query need a rewrite at all?"""
    return bool(_MENTIONS_CATALOG.search(sql))


def rewrite(sql: str, context: SessionContext) -> str:
    """DuckDB SQL for a client query; ``sql`` itself when nothing catalog-like is in it."""
    if not mentions_catalog(sql):
        return sql
    try:
        tree = sqlglot.parse_one(sql, dialect="postgres")
    except sqlglot.errors.ParseError:
        return sql  # not Postgres syntax sqlglot knows: let DuckDB judge it as written
    if tree is None:
        return sql
    try:
        changed = _rewrite_tree(tree, context)
        return tree.sql(dialect="duckdb") if changed else sql
    except PgError:
        raise
    except Exception:  # a shape sqlglot cannot rewrite: DuckDB judges the query as written
        log.warning("could not rewrite a catalog query; running it as written", exc_info=True)
        return sql


def _rewrite_tree(tree: exp.Expression, context: SessionContext) -> bool:
    changed = False
    _name_outputs(tree)
    for table in list(tree.find_all(exp.Table)):
        changed |= _point_table(table)
    for column in tree.find_all(exp.Column):
        # `pg_catalog.pg_class.relname`: the table is aliased by its bare name (see _set_table).
        if (column.text("db") or "").lower() in ("pg_catalog", "information_schema"):
            column.set("db", None)
            column.set("catalog", None)
            changed = True
    # Innermost first, so an outer cast or call sees its rewritten arguments.
    kinds = (exp.Func, exp.Dot, exp.Cast, exp.Operator, exp.Collate)
    for node in reversed([n for n in tree.dfs() if isinstance(n, kinds)]):
        replacement = _replacement(node, context)
        if replacement is not None and replacement is not node:
            node.replace(replacement)
            changed = True
    return changed


def _name_outputs(tree: exp.Expression) -> None:
    """Give result columns the names Postgres gives them, before their expressions change."""
    for select in tree.find_all(exp.Select):
        projections = []
        for projection in select.expressions:
            if isinstance(projection, exp.Alias | exp.Star) or (
                isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)
            ):
                projections.append(projection)
                continue
            name = pg_output_name(projection)
            projections.append(exp.alias_(projection, name, quoted=True) if name else projection)
        select.set("expressions", projections)


def _point_table(table: exp.Table) -> bool:
    schema = (table.db or "").lower()
    name = table.name.lower()
    if not isinstance(table.this, exp.Identifier):  # a table function: pg_catalog.unnest(...)
        alias = table.args.get("alias")
        if alias is not None and not alias.columns:
            # Postgres names the single output column after the alias (`generate_series(..) s`
            # then `arr[s]`); DuckDB would make `s` the whole row.
            alias.set("columns", [exp.to_identifier(alias.name)])
        if schema in ("pg_catalog", "information_schema"):
            table.set("db", None)
        function = table.this
        if isinstance(function, exp.Anonymous) and str(function.this).lower() in TABLE_MACROS:
            function.set("this", f"{CATALOG_SCHEMA}.{str(function.this).lower()}")
        return True
    if table.catalog and table.catalog.lower() not in (WAREHOUSE,):
        return False
    if schema == "pg_catalog" or (not schema and name.startswith("pg_")):
        if name not in PG_CATALOG:
            raise PgError(
                "42P01", f'relation "pg_catalog.{name}" is not available on this endpoint'
            )
        _set_table(table, CATALOG_SCHEMA, name)
        return True
    if schema == "information_schema":
        if name not in INFORMATION_SCHEMA:
            raise PgError(
                "42P01", f'relation "information_schema.{name}" is not available on this endpoint'
            )
        _set_table(table, INFO_SCHEMA, name)
        return True
    return False


def _set_table(table: exp.Table, qualified_schema: str, name: str) -> None:
    catalog_name, schema_name = qualified_schema.split(".")
    alias = table.args.get("alias")
    if alias is None:
        # Keep the unqualified name usable as a qualifier (`pg_class.oid`), as Postgres does.
        alias = exp.TableAlias(this=exp.to_identifier(table.name))
    table.set("this", exp.to_identifier(name))
    table.set("db", exp.to_identifier(schema_name))
    table.set("catalog", exp.to_identifier(catalog_name))
    table.set("alias", alias)


def _macro(name: str, args: list[exp.Expression]) -> exp.Expression:
    return exp.Anonymous(this=f"{CATALOG_SCHEMA}.{name}", expressions=args)


def _replacement(node: exp.Expression, context: SessionContext) -> exp.Expression | None:
    if isinstance(node, exp.Dot):
        # `pg_catalog.f(...)`: its call has been rewritten already (innermost first); drop the
        # qualifier so DuckDB sees the rewritten call itself.
        qualifier = node.this.name.lower() if isinstance(node.this, exp.Identifier) else ""
        if qualifier in ("pg_catalog", "information_schema") and not isinstance(
            node.expression, exp.Identifier
        ):
            return node.expression
        return None
    if isinstance(node, exp.CurrentSchema):
        return exp.Literal.string(context.search_path[0]) if context.search_path else exp.null()
    if isinstance(node, exp.CurrentSchemas):
        implicit = node.this is not None and node.this.sql().upper() == "TRUE"
        schemas = (["pg_catalog"] if implicit else []) + context.search_path
        return exp.Array(expressions=[exp.Literal.string(s) for s in schemas])
    if isinstance(node, exp.CurrentDatabase | exp.CurrentCatalog):
        return exp.Literal.string(WAREHOUSE)
    if isinstance(node, exp.CurrentUser | exp.SessionUser | exp.CurrentRole):
        return exp.Literal.string(context.user)
    if isinstance(node, exp.CurrentVersion):
        return exp.Literal.string(context.server_version)
    if isinstance(node, exp.Cast):
        return _cast(node)
    if isinstance(node, exp.Operator):
        return _operator(node)
    if isinstance(node, exp.Collate):
        return node.this
    if isinstance(node, exp.Format):
        return _format(node.this, list(node.expressions))
    if isinstance(node, exp.Anonymous):
        return _anonymous(node, context)
    return None


def _format(pattern: exp.Expression, args: list[exp.Expression]) -> exp.Expression | None:
    """Postgres's format('%I.%I', schema, table) as DuckDB's printf, identifiers as they are."""
    if not (isinstance(pattern, exp.Literal) and re.search(r"%[ILs]", str(pattern.this))):
        return None  # DuckDB's own format('{}', ...) stays as it is
    printf_pattern = re.sub(r"%([IL])", "%s", str(pattern.this))
    return exp.Anonymous(this="printf", expressions=[exp.Literal.string(printf_pattern), *args])


def _anonymous(node: exp.Anonymous, context: SessionContext) -> exp.Expression | None:
    name = str(node.this).lower()
    args = list(node.expressions)
    if name == "version":
        return exp.Literal.string(context.server_version)
    if name == "current_setting" and args and isinstance(args[0], exp.Literal):
        key = str(args[0].this).lower()
        if key in context.settings:
            return exp.Literal.string(context.settings[key])
        missing_ok = len(args) > 1 and args[1].sql().upper() == "TRUE"
        if missing_ok:
            return exp.null()
        raise PgError("42704", f'unrecognized configuration parameter "{key}"')
    if name == "current_setting" and args:
        return _macro("current_setting", args)  # a bound parameter: the endpoint's defaults
    if name == "set_config" and len(args) >= 2 and isinstance(args[0], exp.Literal):
        if context.set_config is None:
            raise PgError("42501", "set_config() is not allowed here")
        value = str(args[1].this) if isinstance(args[1], exp.Literal) else None
        context.set_config(str(args[0].this).lower(), value)
        return exp.Literal.string(value or "")
    if name == "pg_backend_pid":
        return exp.Literal.number(context.pid)
    if name == "pg_postmaster_start_time":
        return exp.cast(exp.Literal.string(context.started_at), "TIMESTAMPTZ")
    if name == "inet_server_addr":
        return exp.Literal.string("127.0.0.1")
    if name == "inet_server_port":
        return exp.Literal.number(context.port)
    if name == "pg_table_is_visible" and args:
        return _table_is_visible(args[0], context)
    if name == "format" and args:
        return _format(args[0], args[1:])
    if name == "json_build_object":
        return exp.Anonymous(this="json_object", expressions=args)
    if name in _RENAMED_MACROS:
        return _macro(_RENAMED_MACROS[name], args)
    if name in CATALOG_MACROS:
        return _macro(name, args)
    return None


def _table_is_visible(argument: exp.Expression, context: SessionContext) -> exp.Expression:
    """pg_table_is_visible(oid): the relation lives in a schema of this session's search_path."""
    visible = {"pg_catalog", *context.search_path}
    oids = sorted(o for (schema, _), o in context.catalog.relations.items() if schema in visible)
    if not oids:
        return exp.false()
    return exp.paren(exp.In(this=argument, expressions=[exp.Literal.number(o) for o in oids]))


def _type_name(cast: exp.Cast) -> str:
    return cast.to.sql(dialect="postgres").lower().replace("pg_catalog.", "").strip()


def _cast(node: exp.Cast) -> exp.Expression | None:
    target = _type_name(node)
    value = node.this
    # A string literal or a bound parameter names the object; anything else already is an OID.
    is_literal = (isinstance(value, exp.Literal) and value.is_string) or isinstance(
        value, exp.Placeholder | exp.Parameter
    )
    if target in ("regclass", "regtype"):
        parent = node.parent
        if not is_literal and isinstance(parent, exp.Cast) and _type_name(parent) in _TEXT_TYPES:
            return _macro(f"{target}_out", [value])  # oid::regclass::text prints the name
        return _macro(f"{target}_in", [value])  # a name, or an OID already
    if target in ("regproc", "regprocedure", "regnamespace", "regrole", "regoper", "oid"):
        return exp.cast(
            exp.null() if is_literal and target != "oid" else value, "INTEGER", copy=False
        )
    if target in ("name", '"char"', "char"):
        return exp.cast(value, "VARCHAR", copy=False)
    if target in ("int2vector", "oidvector"):
        return value
    if target.startswith("aclitem"):
        return exp.cast(value, "VARCHAR[]", copy=False)
    if "pg_catalog." in node.to.sql(dialect="postgres").lower():
        return exp.cast(value, target, copy=False)  # DuckDB knows the type unqualified
    return None


def _operator(node: exp.Operator) -> exp.Expression | None:
    operator = str(node.args.get("operator", "")).split(".")[-1].strip()
    left, right = node.this, node.expression
    if isinstance(right, exp.Collate):
        right = right.this
    if operator == "~":
        return exp.RegexpLike(this=left, expression=right)
    if operator == "!~":
        return exp.Not(this=exp.RegexpLike(this=left, expression=right))
    if operator == "~*":
        return exp.RegexpILike(this=left, expression=right)
    if operator == "!~*":
        return exp.Not(this=exp.RegexpILike(this=left, expression=right))
    if operator in ("=", "<>", "!=", "<", ">", "<=", ">="):
        return _comparison(operator, node)
    return None


def _comparison(operator: str, node: exp.Operator) -> exp.Expression:
    classes = {
        "=": exp.EQ,
        "<>": exp.NEQ,
        "!=": exp.NEQ,
        "<": exp.LT,
        ">": exp.GT,
        "<=": exp.LTE,
        ">=": exp.GTE,
    }
    return classes[operator](this=node.this, expression=node.expression)

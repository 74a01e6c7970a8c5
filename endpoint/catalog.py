"""The emulated pg_catalog and information_schema of one published version.

DuckDB has a pg_catalog of its own, but with DuckDB's type OIDs (a DOUBLE column reads as 23,
``int4``) and without the dbt descriptions, so BI tools would show wrong types and no comments.
Instead, when a version is opened, its tables and columns are described once, in Postgres terms,
in two schemas of the version's in-memory database: ``memory.pgcat`` (pg_catalog) and
``memory.pginfo`` (information_schema). ``rewrite.py`` points client catalog queries at them and
the macros below stand in for Postgres's catalog functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from endpoint import pgtypes
from endpoint.catalog_tables import CATALOG_RELATION_OIDS, INFORMATION_SCHEMA, PG_CATALOG
from endpoint.client_settings import SETTING_DEFAULTS

CATALOG_SCHEMA = "memory.pgcat"
INFO_SCHEMA = "memory.pginfo"
WAREHOUSE = "warehouse"  # the attached catalog name, and the database name clients connect to

OWNER_OID = 10
PG_CATALOG_OID = 11
INFORMATION_SCHEMA_OID = 13000
DATABASE_OID = 16383
FIRST_OBJECT_OID = 16384
TEXT_COLLATION_OID = 100


@dataclass
class CatalogInfo:
    """What sessions need to know about a version's catalog (for search paths and regclass)."""

    namespaces: dict[str, int] = field(default_factory=dict)  # schema name -> oid
    relations: dict[tuple[str, str], int] = field(default_factory=dict)  # (schema, name) -> oid

    @property
    def user_schemas(self) -> list[str]:
        return [s for s in self.namespaces if s not in ("pg_catalog", "information_schema")]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def install(
    con: duckdb.DuckDBPyConnection, user: str, database_comment: str, database_bytes: int
) -> CatalogInfo:
    """Create and fill memory.pgcat / memory.pginfo from the attached warehouse (before lockdown)."""
    con.execute(f"CREATE SCHEMA {CATALOG_SCHEMA}")
    con.execute(f"CREATE SCHEMA {INFO_SCHEMA}")
    for name, columns in PG_CATALOG.items():
        con.execute(f"CREATE TABLE {CATALOG_SCHEMA}.{name} ({columns})")
    for name, columns in INFORMATION_SCHEMA.items():
        con.execute(f"CREATE TABLE {INFO_SCHEMA}.{name} ({columns})")
    con.execute(f"CREATE TABLE {CATALOG_SCHEMA}._type_display (oid INTEGER, display VARCHAR)")

    info = _describe_warehouse(con)
    rows = _catalog_rows(info, user, database_comment)
    for table, table_rows in rows.items():
        _insert(con, table, table_rows)
    _insert(
        con,
        f"{CATALOG_SCHEMA}._type_display",
        [{"oid": t.oid, "display": t.display} for t in pgtypes.PG_TYPES],
    )
    _create_macros(con, user, database_bytes)
    return info.catalog


@dataclass
class _Warehouse:
    catalog: CatalogInfo
    relations: list[tuple[str, str, str, str | None, float]]  # schema, name, kind, comment, rows
    columns: list[tuple]  # schema, table, column, index, data_type, is_nullable, comment


def _describe_warehouse(con: duckdb.DuckDBPyConnection) -> _Warehouse:
    relations = con.execute(
        f"""
        select schema_name, table_name, 'r', comment, coalesce(estimated_size, 0)
        from duckdb_tables() where database_name = {_literal(WAREHOUSE)}
        union all
        select schema_name, view_name, 'v', comment, 0
        from duckdb_views() where database_name = {_literal(WAREHOUSE)} and not internal
        order by 1, 2
        """
    ).fetchall()
    columns = con.execute(
        f"""
        -- column_index counts from 1, like pg_attribute.attnum
        select schema_name, table_name, column_name, column_index, data_type, is_nullable, comment
        from duckdb_columns() where database_name = {_literal(WAREHOUSE)}
        order by schema_name, table_name, column_index
        """
    ).fetchall()
    catalog = CatalogInfo()
    catalog.namespaces["pg_catalog"] = PG_CATALOG_OID
    catalog.namespaces["information_schema"] = INFORMATION_SCHEMA_OID
    next_oid = FIRST_OBJECT_OID
    for schema in sorted({r[0] for r in relations}):
        catalog.namespaces[schema] = next_oid
        next_oid += 1
    for schema, name, *_ in relations:
        catalog.relations[(schema, name)] = next_oid
        next_oid += 1
    for name, oid in CATALOG_RELATION_OIDS.items():
        catalog.relations[("pg_catalog", name)] = oid
    return _Warehouse(catalog, relations, columns)


def _catalog_rows(info: _Warehouse, user: str, database_comment: str) -> dict[str, list[dict]]:
    cat = info.catalog
    pg, ischema = CATALOG_SCHEMA, INFO_SCHEMA
    rows: dict[str, list[dict]] = {f"{pg}.{name}": [] for name in PG_CATALOG}
    rows.update({f"{ischema}.{name}": [] for name in INFORMATION_SCHEMA})

    for schema, oid in cat.namespaces.items():
        rows[f"{pg}.pg_namespace"].append({"oid": oid, "nspname": schema, "nspowner": OWNER_OID})
        rows[f"{ischema}.schemata"].append(
            {"catalog_name": WAREHOUSE, "schema_name": schema, "schema_owner": user}
        )

    column_counts: dict[tuple[str, str], int] = {}
    for schema, table, *_ in info.columns:
        column_counts[(schema, table)] = column_counts.get((schema, table), 0) + 1

    for schema, name, kind, comment, estimated_rows in info.relations:
        oid = cat.relations[(schema, name)]
        rows[f"{pg}.pg_class"].append(
            _pg_class_row(oid, name, cat.namespaces[schema], kind, column_counts, schema)
            | {"reltuples": float(estimated_rows)}
        )
        if comment:
            rows[f"{pg}.pg_description"].append(
                {"objoid": oid, "classoid": 1259, "objsubid": 0, "description": comment}
            )
        table_type = "BASE TABLE" if kind == "r" else "VIEW"
        rows[f"{ischema}.tables"].append(
            {
                "table_catalog": WAREHOUSE,
                "table_schema": schema,
                "table_name": name,
                "table_type": table_type,
                "is_insertable_into": "NO",
                "is_typed": "NO",
            }
        )
        if kind == "r":
            for stats in ("pg_stat_user_tables", "pg_stat_all_tables"):
                rows[f"{pg}.{stats}"].append(
                    {
                        "relid": oid,
                        "schemaname": schema,
                        "relname": name,
                        "n_live_tup": int(estimated_rows),
                        "n_dead_tup": 0,
                    }
                )
            rows[f"{pg}.pg_tables"].append(
                {
                    "schemaname": schema,
                    "tablename": name,
                    "tableowner": user,
                    "hasindexes": False,
                    "hasrules": False,
                    "hastriggers": False,
                    "rowsecurity": False,
                }
            )
        else:
            rows[f"{pg}.pg_views"].append(
                {"schemaname": schema, "viewname": name, "viewowner": user}
            )
            rows[f"{ischema}.views"].append(
                {
                    "table_catalog": WAREHOUSE,
                    "table_schema": schema,
                    "table_name": name,
                    "check_option": "NONE",
                    "is_updatable": "NO",
                    "is_insertable_into": "NO",
                }
            )

    for name, oid in CATALOG_RELATION_OIDS.items():
        rows[f"{pg}.pg_class"].append(
            _pg_class_row(oid, name, PG_CATALOG_OID, "r", {}, "pg_catalog")
        )

    for schema, table, column, index, data_type, is_nullable, comment in info.columns:
        relation_oid = cat.relations[(schema, table)]
        column_type = pgtypes.column_type(data_type)
        rows[f"{pg}.pg_attribute"].append(
            _pg_attribute_row(relation_oid, column, index, column_type, is_nullable)
        )
        if comment:
            rows[f"{pg}.pg_description"].append(
                {
                    "objoid": relation_oid,
                    "classoid": 1259,
                    "objsubid": index,
                    "description": comment,
                }
            )
        rows[f"{ischema}.columns"].append(
            _information_schema_column(schema, table, column, index, column_type, is_nullable)
        )

    rows[f"{pg}.pg_type"] = [_pg_type_row(t) for t in pgtypes.PG_TYPES]
    rows[f"{pg}.pg_database"] = [_pg_database_row()]
    rows[f"{pg}.pg_shdescription"] = [
        {"objoid": DATABASE_OID, "classoid": 1262, "description": database_comment}
    ]
    rows[f"{pg}.pg_tablespace"] = [
        {"oid": 1663, "spcname": "pg_default", "spcowner": OWNER_OID},
        {"oid": 1664, "spcname": "pg_global", "spcowner": OWNER_OID},
    ]
    rows[f"{pg}.pg_am"] = [
        {"oid": 2, "amname": "heap", "amhandler": "heap_tableam_handler", "amtype": "t"},
        {"oid": 403, "amname": "btree", "amhandler": "bthandler", "amtype": "i"},
    ]
    rows[f"{pg}.pg_collation"] = [
        _collation_row(100, "default", "d"),
        _collation_row(950, "C", "c"),
        _collation_row(951, "POSIX", "c"),
    ]
    rows[f"{pg}.pg_roles"] = [_role_row(user)]
    rows[f"{pg}.pg_user"] = [
        {
            "usename": user,
            "usesysid": OWNER_OID,
            "usecreatedb": False,
            "usesuper": False,
            "userepl": False,
            "usebypassrls": False,
            "passwd": "********",
        }
    ]
    rows[f"{pg}.pg_settings"] = [
        {
            "name": name,
            "setting": value,
            "category": "Client Connection Defaults",
            "short_desc": description,
            "context": "user",
            "vartype": "string",
            "source": "default",
            "boot_val": value,
            "reset_val": value,
            "pending_restart": False,
        }
        for name, (value, description) in sorted(SETTING_DEFAULTS.items())
    ]
    rows[f"{ischema}.enabled_roles"] = [{"role_name": user}]
    rows[f"{ischema}.character_sets"] = [
        {"character_set_name": "UTF8", "character_repertoire": "UCS", "form_of_use": "UTF8"}
    ]
    return rows


def _pg_class_row(
    oid: int,
    name: str,
    namespace: int,
    kind: str,
    column_counts: dict[tuple[str, str], int],
    schema: str,
) -> dict:
    return {
        "oid": oid,
        "relname": name,
        "relnamespace": namespace,
        "reltype": 0,
        "reloftype": 0,
        "relowner": OWNER_OID,
        "relam": 2 if kind == "r" else 0,
        "relfilenode": oid if kind == "r" else 0,
        "reltablespace": 0,
        "relpages": 0,
        "reltuples": 0.0,
        "relallvisible": 0,
        "reltoastrelid": 0,
        "relhasindex": False,
        "relisshared": False,
        "relpersistence": "p",
        "relkind": kind,
        "relnatts": column_counts.get((schema, name), 0),
        "relchecks": 0,
        "relhasrules": False,
        "relhastriggers": False,
        "relhassubclass": False,
        "relrowsecurity": False,
        "relforcerowsecurity": False,
        "relispopulated": True,
        "relreplident": "d" if kind == "r" else "n",
        "relispartition": False,
        "relrewrite": 0,
        "relfrozenxid": 0,
        "relminmxid": 0,
    }


def _alignment(length: int) -> str:
    return {8: "d", 4: "i", 2: "s", 1: "c"}.get(length, "i" if length < 0 else "c")


def _pg_attribute_row(
    relation_oid: int, name: str, number: int, column: pgtypes.ColumnType, is_nullable: bool
) -> dict:
    pg = column.pg
    return {
        "attrelid": relation_oid,
        "attname": name,
        "atttypid": column.oid,
        "attstattarget": -1,
        "attlen": pg.length,
        "attnum": number,
        "attndims": 1 if pg.is_array else 0,
        "attcacheoff": -1,
        "atttypmod": column.typmod,
        "attbyval": pg.by_value,
        "attalign": _alignment(pg.length),
        "attstorage": "p" if pg.length > 0 else "x",
        "attcompression": "",
        "attnotnull": not is_nullable,
        "atthasdef": False,
        "atthasmissing": False,
        "attidentity": "",
        "attgenerated": "",
        "attisdropped": False,
        "attislocal": True,
        "attinhcount": 0,
        "attcollation": TEXT_COLLATION_OID if pg.category == "S" else 0,
    }


def _information_schema_column(
    schema: str,
    table: str,
    column: str,
    position: int,
    column_type: pgtypes.ColumnType,
    is_nullable: bool,
) -> dict:
    pg = column_type.pg
    precision, scale = pgtypes.numeric_precision_scale(column_type)
    data_type = "ARRAY" if pg.is_array else pgtypes.format_type(column_type.oid, None)
    datetime_precision = 6 if pg.category == "D" and pg.oid != pgtypes.DATE else None
    return {
        "table_catalog": WAREHOUSE,
        "table_schema": schema,
        "table_name": table,
        "column_name": column,
        "ordinal_position": position,
        "is_nullable": "YES" if is_nullable else "NO",
        "data_type": data_type,
        "numeric_precision": precision,
        "numeric_precision_radix": (10 if pg.oid == pgtypes.NUMERIC else 2) if precision else None,
        "numeric_scale": scale,
        "datetime_precision": 0 if pg.oid == pgtypes.DATE else datetime_precision,
        "udt_catalog": WAREHOUSE,
        "udt_schema": "pg_catalog",
        "udt_name": pg.name,
        "dtd_identifier": str(position),
        "is_self_referencing": "NO",
        "is_identity": "NO",
        "is_generated": "NEVER",
        "is_updatable": "NO",
    }


def _pg_type_row(pg: pgtypes.PgType) -> dict:
    base = pg.name.lstrip("_") if pg.is_array else pg.name
    return {
        "oid": pg.oid,
        "typname": pg.name,
        "typnamespace": PG_CATALOG_OID,
        "typowner": OWNER_OID,
        "typlen": pg.length,
        "typbyval": pg.by_value,
        "typtype": "b",
        "typcategory": pg.category,
        "typispreferred": pg.preferred,
        "typisdefined": True,
        "typdelim": ",",
        "typrelid": 0,
        "typsubscript": "array_subscript_handler" if pg.is_array else "-",
        "typelem": pg.element_oid,
        "typarray": pg.array_oid,
        "typinput": "array_in" if pg.is_array else f"{base}in",
        "typoutput": "array_out" if pg.is_array else f"{base}out",
        "typreceive": "array_recv" if pg.is_array else f"{base}recv",
        "typsend": "array_send" if pg.is_array else f"{base}send",
        "typmodin": "-",
        "typmodout": "-",
        "typanalyze": "-",
        "typalign": _alignment(pg.length),
        "typstorage": "p" if pg.length > 0 else "x",
        "typnotnull": False,
        "typbasetype": 0,
        "typtypmod": -1,
        "typndims": 0,
        "typcollation": TEXT_COLLATION_OID if pg.category == "S" else 0,
    }


def _pg_database_row() -> dict:
    return {
        "oid": DATABASE_OID,
        "datname": WAREHOUSE,
        "datdba": OWNER_OID,
        "encoding": 6,  # UTF8
        "datlocprovider": "c",
        "datistemplate": False,
        "datallowconn": True,
        "datconnlimit": -1,
        "datfrozenxid": 0,
        "datminmxid": 0,
        "dattablespace": 1663,
        "datcollate": "C",
        "datctype": "C",
    }


def _collation_row(oid: int, name: str, provider: str) -> dict:
    return {
        "oid": oid,
        "collname": name,
        "collnamespace": PG_CATALOG_OID,
        "collowner": OWNER_OID,
        "collprovider": provider,
        "collisdeterministic": True,
        "collencoding": -1,
    }


def _role_row(user: str) -> dict:
    return {
        "oid": OWNER_OID,
        "rolname": user,
        "rolsuper": False,
        "rolinherit": True,
        "rolcreaterole": False,
        "rolcreatedb": False,
        "rolcanlogin": True,
        "rolreplication": False,
        "rolconnlimit": -1,
        "rolpassword": "********",
        "rolbypassrls": False,
    }


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    if not rows:
        return
    columns = sorted({key for row in rows for key in row})
    arrow = pa.Table.from_pylist([{c: row.get(c) for c in columns} for row in rows])
    con.register("_catalog_rows", arrow)
    try:
        names = ", ".join(_quote(c) for c in columns)
        con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM _catalog_rows")
    finally:
        con.unregister("_catalog_rows")


def _create_macros(con: duckdb.DuckDBPyConnection, user: str, database_bytes: int) -> None:
    """Postgres catalog functions as macros of memory.pgcat (rewrite.py qualifies the calls)."""
    pg = CATALOG_SCHEMA
    relation_oids = ", ".join(f"{_literal(n)}: {o}" for n, o in CATALOG_RELATION_OIDS.items())
    macros = {
        "format_type": f"""(type_oid, typemod) AS CASE
            WHEN type_oid IS NULL THEN NULL
            WHEN type_oid = 1700 AND typemod >= 4 THEN
                'numeric(' || ((typemod - 4) >> 16) || ',' || ((typemod - 4) & 65535) || ')'
            WHEN type_oid = 1043 AND typemod >= 4 THEN
                'character varying(' || (typemod - 4) || ')'
            ELSE coalesce((SELECT max(d.display) FROM {pg}._type_display d
                           WHERE d.oid = type_oid), '???') END""",
        "col_description": f"""(table_oid, column_number) AS (
            SELECT max(d.description) FROM {pg}.pg_description d
            WHERE d.objoid = table_oid AND d.objsubid = column_number AND d.classoid = 1259)""",
        "obj_description": f"""(object_oid) AS (
                SELECT max(d.description) FROM {pg}.pg_description d
                WHERE d.objoid = object_oid AND d.objsubid = 0),
            (object_oid, catalog_name) AS (
                SELECT max(d.description) FROM {pg}.pg_description d
                WHERE d.objoid = object_oid AND d.objsubid = 0
                  AND d.classoid = MAP {{{relation_oids}}}[catalog_name])""",
        "shobj_description": f"""(object_oid, catalog_name) AS (
            SELECT max(d.description) FROM {pg}.pg_shdescription d WHERE d.objoid = object_oid)""",
        "current_setting": f"""(setting_name) AS (SELECT max(s.setting) FROM {pg}.pg_settings s
                WHERE s.name = lower(setting_name)),
            (setting_name, missing_ok) AS (SELECT max(s.setting) FROM {pg}.pg_settings s
                WHERE s.name = lower(setting_name))""",
        "pg_get_userbyid": f"""(role_oid) AS CASE WHEN role_oid = {OWNER_OID}
            THEN {_literal(user)} ELSE 'unknown (OID=' || role_oid || ')' END""",
        "pg_get_expr": "(expr, relation) AS NULL::VARCHAR, (expr, relation, pretty) AS NULL::VARCHAR",
        "pg_get_indexdef": "(i) AS NULL::VARCHAR, (i, c, p) AS NULL::VARCHAR",
        "pg_get_constraintdef": "(c) AS NULL::VARCHAR, (c, p) AS NULL::VARCHAR",
        "pg_get_viewdef": "(v) AS NULL::VARCHAR, (v, p) AS NULL::VARCHAR",
        "pg_get_triggerdef": "(t) AS NULL::VARCHAR, (t, p) AS NULL::VARCHAR",
        "pg_get_ruledef": "(r) AS NULL::VARCHAR, (r, p) AS NULL::VARCHAR",
        "pg_get_partkeydef": "(r) AS NULL::VARCHAR",
        "pg_get_function_arguments": "(f) AS NULL::VARCHAR",
        "pg_get_function_result": "(f) AS NULL::VARCHAR",
        "pg_get_function_identity_arguments": "(f) AS NULL::VARCHAR",
        "pg_get_statisticsobjdef_columns": "(s) AS NULL::VARCHAR",
        "pg_get_serial_sequence": "(t, c) AS NULL::VARCHAR",
        "pg_relation_is_publishable": "(r) AS false",
        "pg_database_size": f"(d) AS {database_bytes}::BIGINT",
        "pg_tablespace_size": f"(t) AS {database_bytes}::BIGINT",
        "pg_tablespace_location": "(t) AS ''",
        "pg_type_is_visible": "(t) AS true",
        "pg_function_is_visible": "(f) AS true",
        "pg_collation_is_visible": "(c) AS true",
        "pg_relation_size": "(r) AS 0::BIGINT, (r, fork) AS 0::BIGINT",
        "pg_total_relation_size": "(r) AS 0::BIGINT",
        "pg_table_size": "(r) AS 0::BIGINT",
        "pg_indexes_size": "(r) AS 0::BIGINT",
        "pg_size_pretty": "(n) AS format_bytes(n::BIGINT)",
        "pg_encoding_to_char": "(e) AS 'UTF8'",
        "pg_char_to_encoding": "(e) AS 6",
        "pg_is_in_recovery": "() AS false",
        "pg_is_other_temp_schema": "(n) AS false",
        "pg_my_temp_schema": "() AS 0",
        "txid_current": "() AS 1::BIGINT",
        "has_table_privilege": "(t, p) AS true, (u, t, p) AS true",
        "has_schema_privilege": "(s, p) AS true, (u, s, p) AS true",
        "has_database_privilege": "(d, p) AS true, (u, d, p) AS true",
        "has_column_privilege": "(t, c, p) AS true, (u, t, c, p) AS true",
        "has_any_column_privilege": "(t, p) AS true, (u, t, p) AS true",
        "has_function_privilege": "(f, p) AS true, (u, f, p) AS true",
        "has_sequence_privilege": "(s, p) AS false, (u, s, p) AS false",
        "pg_has_role": "(r, p) AS false, (u, r, p) AS false",
        "array_lower": "(a, d) AS CASE WHEN len(a) > 0 THEN 1 END",
        "array_upper": "(a, d) AS CASE WHEN len(a) > 0 THEN len(a) END",
        # A name ('marts.fct_car', 'pg_catalog.pg_class', 'fct_car') or an OID already.
        "regclass_in": f"""(name) AS coalesce(TRY_CAST(name::VARCHAR AS INTEGER), (
            SELECT min(c.oid) FROM {pg}.pg_class c JOIN {pg}.pg_namespace n
                ON n.oid = c.relnamespace
            WHERE n.nspname || '.' || c.relname = replace(name::VARCHAR, '"', '')
               OR c.relname = replace(name::VARCHAR, '"', '')))""",
        "regtype_in": f"""(name) AS coalesce(TRY_CAST(name::VARCHAR AS INTEGER), (
            SELECT min(t.oid) FROM {pg}.pg_type t
            LEFT JOIN {pg}._type_display d ON d.oid = t.oid
            WHERE t.typname = replace(replace(name::VARCHAR, '"', ''), 'pg_catalog.', '')
               OR d.display = replace(replace(name::VARCHAR, '"', ''), 'pg_catalog.', '')))""",
        "to_regclass": f"(name) AS {pg}.regclass_in(name)",
        "quote_ident": """(name) AS CASE WHEN regexp_full_match(name, '[a-z_][a-z0-9_$]*')
            THEN name ELSE '"' || replace(name, '"', '""') || '"' END""",
        "to_regtype": f"(name) AS {pg}.regtype_in(name)",
        "regclass_out": f"""(relation_oid) AS (
            SELECT max(c.relname) FROM {pg}.pg_class c WHERE c.oid = relation_oid)""",
        "regtype_out": f"""(type_oid) AS (
            SELECT max(d.display) FROM {pg}._type_display d WHERE d.oid = type_oid)""",
        "pg_expandarray": "(a) AS {'x': NULL::INTEGER, 'n': NULL::INTEGER}",
    }
    for name, body in macros.items():
        con.execute(f"CREATE MACRO {pg}.{name}{body}")
    con.execute(
        f"""CREATE MACRO {pg}.pg_get_keywords() AS TABLE
        SELECT keyword_name AS word,
               CASE keyword_category WHEN 'reserved' THEN 'R' WHEN 'unreserved' THEN 'U'
                    WHEN 'type_function' THEN 'T' ELSE 'C' END AS catcode,
               true AS barelabel, keyword_category AS catdesc, 'can be bare label' AS baredesc
        FROM duckdb_keywords()"""
    )

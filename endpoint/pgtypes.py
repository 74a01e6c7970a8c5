"""Postgres types for DuckDB types: the OIDs, names and type modifiers clients expect.

One table serves both the emulated ``pg_type`` catalog and the result descriptions sent with every
query, so a column reads as ``double precision`` (OID 701) in ``\\d`` and in a result set alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class PgType:
    oid: int
    name: str  # pg_type.typname
    display: str  # what format_type() prints
    length: int  # typlen: bytes, -1 for variable length
    category: str  # typcategory
    array_oid: int  # typarray: the array type holding this one (0 for arrays themselves)
    element_oid: int = 0  # typelem: for arrays, the element type
    preferred: bool = False

    @property
    def by_value(self) -> bool:
        return 0 < self.length <= 8

    @property
    def is_array(self) -> bool:
        return self.element_oid != 0 and self.category == "A"


_SCALARS = (
    PgType(16, "bool", "boolean", 1, "B", 1000, preferred=True),
    PgType(17, "bytea", "bytea", -1, "U", 1001),
    PgType(18, "char", '"char"', 1, "Z", 1002),
    PgType(19, "name", "name", 64, "S", 1003),
    PgType(20, "int8", "bigint", 8, "N", 1016),
    PgType(21, "int2", "smallint", 2, "N", 1005),
    PgType(22, "int2vector", "int2vector", -1, "A", 1006, element_oid=21),
    PgType(23, "int4", "integer", 4, "N", 1007),
    PgType(24, "regproc", "regproc", 4, "N", 1008),
    PgType(25, "text", "text", -1, "S", 1009, preferred=True),
    PgType(26, "oid", "oid", 4, "N", 1028, preferred=True),
    PgType(30, "oidvector", "oidvector", -1, "A", 1013, element_oid=26),
    PgType(114, "json", "json", -1, "U", 199),
    PgType(700, "float4", "real", 4, "N", 1021),
    PgType(701, "float8", "double precision", 8, "N", 1022, preferred=True),
    PgType(1042, "bpchar", "character", -1, "S", 1014),
    PgType(1043, "varchar", "character varying", -1, "S", 1015),
    PgType(1082, "date", "date", 4, "D", 1182),
    PgType(1083, "time", "time without time zone", 8, "D", 1183),
    PgType(1114, "timestamp", "timestamp without time zone", 8, "D", 1115),
    PgType(1184, "timestamptz", "timestamp with time zone", 8, "D", 1185, preferred=True),
    PgType(1186, "interval", "interval", 16, "T", 1187, preferred=True),
    PgType(1700, "numeric", "numeric", -1, "N", 1231),
    PgType(2205, "regclass", "regclass", 4, "N", 2210),
    PgType(2206, "regtype", "regtype", 4, "N", 2211),
    PgType(2950, "uuid", "uuid", 16, "U", 2951),
    PgType(3802, "jsonb", "jsonb", -1, "U", 3807),
)


def _array_of(element: PgType) -> PgType:
    return PgType(
        element.array_oid,
        "_" + element.name,
        element.display + "[]",
        -1,
        "A",
        0,
        element_oid=element.oid,
    )


PG_TYPES: tuple[PgType, ...] = _SCALARS + tuple(_array_of(t) for t in _SCALARS)
BY_OID: dict[int, PgType] = {t.oid: t for t in PG_TYPES}

BOOL, BYTEA, INT8, INT2, INT4, TEXT, OID = 16, 17, 20, 21, 23, 25, 26
JSON, FLOAT4, FLOAT8, VARCHAR, DATE, TIME = 114, 700, 701, 1043, 1082, 1083
TIMESTAMP, TIMESTAMPTZ, INTERVAL, NUMERIC, UUID = 1114, 1184, 1186, 1700, 2950

# DuckDB's scalar type names (as duckdb_columns().data_type spells them) -> Postgres OID.
_DUCKDB_SCALARS: dict[str, int] = {
    "BOOLEAN": BOOL,
    "TINYINT": INT2,
    "SMALLINT": INT2,
    "UTINYINT": INT2,
    "INTEGER": INT4,
    "USMALLINT": INT4,
    "BIGINT": INT8,
    "UINTEGER": INT8,
    # Wider than int8: numeric keeps every digit.
    "UBIGINT": NUMERIC,
    "HUGEINT": NUMERIC,
    "UHUGEINT": NUMERIC,
    "FLOAT": FLOAT4,
    "DOUBLE": FLOAT8,
    "VARCHAR": TEXT,
    "BLOB": BYTEA,
    "DATE": DATE,
    "TIME": TIME,
    "TIMESTAMP": TIMESTAMP,
    "TIMESTAMP_S": TIMESTAMP,
    "TIMESTAMP_MS": TIMESTAMP,
    "TIMESTAMP_NS": TIMESTAMP,
    "TIMESTAMP WITH TIME ZONE": TIMESTAMPTZ,
    "INTERVAL": INTERVAL,
    "UUID": UUID,
    "JSON": JSON,
}

_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")
_LIST = re.compile(r"^(.*)\[\d*\]$")


@dataclass(frozen=True)
class ColumnType:
    """A column's Postgres type: OID and type modifier (-1 when none), as in pg_attribute."""

    oid: int
    typmod: int = -1

    @property
    def pg(self) -> PgType:
        return BY_OID[self.oid]

    @property
    def as_text(self) -> bool:
        """True when values must be sent as text (structs, maps, unions and the like)."""
        return self.oid == TEXT


def column_type(duckdb_type: str) -> ColumnType:
    """The Postgres type of a DuckDB type (e.g. ``DECIMAL(18,3)``, ``VARCHAR[]``, ``DOUBLE``).

    Lists become Postgres arrays of their element type; nested lists, structs, maps and unions
    have no faithful Postgres counterpart and are sent as their text (JSON-like) rendering.
    """
    spelled = duckdb_type.strip().upper()
    list_match = _LIST.match(spelled)
    if list_match:
        element = column_type(list_match.group(1))
        if element.pg.is_array or element.oid == TEXT and not _is_plain_text(list_match.group(1)):
            return ColumnType(TEXT)
        return ColumnType(element.pg.array_oid)
    decimal = _DECIMAL.fullmatch(spelled)
    if decimal:
        precision, scale = int(decimal.group(1)), int(decimal.group(2))
        return ColumnType(NUMERIC, ((precision << 16) | scale) + 4)
    return ColumnType(_DUCKDB_SCALARS.get(spelled, TEXT))


def _is_plain_text(duckdb_type: str) -> bool:
    return duckdb_type.strip().upper() == "VARCHAR"


def format_type(oid: int, typmod: int | None) -> str:
    """What Postgres's format_type(oid, typmod) prints, e.g. ``numeric(18,3)``."""
    pg = BY_OID.get(oid)
    if pg is None:
        return "???"
    if oid == NUMERIC and typmod is not None and typmod >= 4:
        packed = typmod - 4
        return f"numeric({packed >> 16},{packed & 0xFFFF})"
    if oid == VARCHAR and typmod is not None and typmod >= 4:
        return f"character varying({typmod - 4})"
    return pg.display


def numeric_precision_scale(column: ColumnType) -> tuple[int | None, int | None]:
    """information_schema.columns numeric_precision / numeric_scale for a column."""
    fixed = {INT2: (16, 0), INT4: (32, 0), INT8: (64, 0), FLOAT4: (24, None), FLOAT8: (53, None)}
    if column.oid == NUMERIC and column.typmod >= 4:
        packed = column.typmod - 4
        return packed >> 16, packed & 0xFFFF
    return fixed.get(column.oid, (None, None))

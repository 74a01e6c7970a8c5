"""Quoting for the few SQL statements the publishing code writes itself (names and literals)."""


def quote(name: str) -> str:
    """An identifier, double-quoted."""
    return '"' + name.replace('"', '""') + '"'


def sql_string(value: str) -> str:
    """A string literal, single-quoted."""
    return "'" + value.replace("'", "''") + "'"

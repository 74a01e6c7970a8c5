"""What every parser receives and returns."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ingest.errors import FileFormatError


@dataclass(frozen=True)
class Reject:
    """One row that could not be used, and why."""

    line: int | None
    column: str | None
    reason: str
    raw_value: str | None = None


@dataclass
class ParseContext:
    origin: str  # file path relative to the landing folder, or URL: used in every message
    series_id: str
    options: dict[str, Any] = field(default_factory=dict)  # format-specific landing options


@dataclass
class ParseResult:
    frame: pd.DataFrame  # dataset payload columns + source_line
    rejects: list[Reject] = field(default_factory=list)


Parser = Callable[[bytes, ParseContext], ParseResult]


def decode_text(payload: bytes, origin: str) -> str:
    """Decode UTF-8 (with or without BOM); a binary or wrongly encoded payload is a file error."""
    try:
        return payload.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = payload[: exc.start].count(b"\n") + 1
        raise FileFormatError(origin, f"not UTF-8 text ({exc.reason})", line=line) from exc


def csv_rows(text: str, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """Yield (line where the record starts, cells) for each non-blank CSV record, header included.

    The start line, not ``reader.line_num`` (where a record ends): a quoted multi-line cell
    would otherwise shift every later line number in rejects and errors.
    """
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, skipinitialspace=True)
    start = 1
    for cells in reader:
        if cells and any(c.strip() for c in cells):
            yield start, cells
        start = reader.line_num + 1


def load_json(payload: bytes | str, origin: str) -> Any:
    """Decode JSON; a truncated or non-JSON payload is a file error pointing at the spot."""
    text = payload if isinstance(payload, str) else decode_text(payload, origin)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileFormatError(
            origin,
            f"invalid or truncated JSON at line {exc.lineno} column {exc.colno} ({exc.msg})",
            line=exc.lineno,
        ) from exc


def require_columns(
    header: list[str], needed: list[str], origin: str, line: int = 1
) -> dict[str, int]:
    """Map column names to positions (first occurrence wins); fail naming the missing column."""
    positions: dict[str, int] = {}
    for i, name in enumerate(header):
        positions.setdefault(name.strip(), i)
    for name in needed:
        if name not in positions:
            raise FileFormatError(
                origin,
                f"missing column {name!r} (header has {[h.strip() for h in header]})",
                line=line,
                column=name,
            )
    return positions


def parse_number(text: str | None, decimal: str = ".") -> float | None:
    """Parse a number; empty, '-', '.', 'null' and 'NaN' mean missing (None). Raises ValueError."""
    if text is None:
        return None
    value = text.strip()
    if value in {"", "-", ".", "null", "None", "NaN", "nan", "N/A"}:
        return None
    negative = value.startswith("(") and value.endswith(")")  # accounting negatives
    if negative:
        value = value[1:-1]
    value = value.replace("$", "").replace(" ", "")
    if decimal != ".":
        value = value.replace(".", "").replace(decimal, ".")
    else:
        value = value.replace(",", "")
    number = float(value)
    if number != number:  # NaN
        return None
    return -number if negative else number

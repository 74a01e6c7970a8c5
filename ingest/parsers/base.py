"""What every parser receives and returns."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ingest.errors import FileFormatError
from ingest.sanitise import header_snippet


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
                f"missing column {name!r} (header is {header_snippet(header)})",
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


class RowError(Exception):
    """A value that makes its row unusable: the parser turns it into a Reject."""

    def __init__(self, column: str, reason: str, raw: str | None) -> None:
        super().__init__(reason)
        self.column, self.reason, self.raw = column, reason, raw


def finite_number(raw: Any, column: str) -> float:
    """A required finite number; anything else raises RowError naming the column."""
    text = "" if raw is None else str(raw).strip()
    if not text:
        raise RowError(column, "empty value", text)
    try:
        value = float(text)
    except ValueError:
        raise RowError(column, "unparseable number", text) from None
    if not math.isfinite(value):
        raise RowError(column, "non-finite number", text)
    return value


def csv_records(
    payload: bytes, origin: str, required: list[str]
) -> tuple[dict[str, int], list[tuple[int, list[str]]], list[Reject]]:
    """Header positions, the records of the right width, and a Reject for each broken record.

    A short record or cells spilling past the header mean the quoting broke: the values would
    shift into the wrong columns, so such a record is rejected rather than read.
    """
    records = csv_rows(decode_text(payload, origin))
    first = next(records, None)
    if first is None:
        raise FileFormatError(origin, "empty file: no header", line=1)
    header_line, header = first
    positions = require_columns(header, required, origin, line=header_line)
    good: list[tuple[int, list[str]]] = []
    rejects: list[Reject] = []
    for line, cells in records:
        if len(cells) < len(header) or any(c.strip() for c in cells[len(header) :]):
            reason = f"{len(cells)} cells where the header has {len(header)}"
            rejects.append(Reject(line, None, reason, ",".join(cells)))
            continue
        good.append((line, cells))
    return positions, good, rejects

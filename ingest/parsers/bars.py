"""Shared building blocks for parsers that produce ``daily_bars`` (and other dated CSV tables).

The pattern every CSV bar parser follows:

1. ``read_table(text, origin, delimiter, skip_rows)`` tokenises the CSV once with the csv
   module, so every row keeps its real 1-based line number (pandas.read_csv loses it on blank
   or multi-line records), and returns a ``Table`` (``require``/``position``/``subset``);
2. ``table_to_bars(table, ctx, date_column, {"close": "Close", ...})`` converts the cells
   column-wise with pandas, turns each unusable row into exactly one ``Reject`` (its first
   problem) and returns a typed frame;
3. ``bars_frame(rows, series_id)`` is the single place that fixes the daily_bars columns and
   dtypes, for parsers that build rows themselves (JSON APIs, klines).

``iso_dates``, ``format_dates``, ``dates_from_parts`` and ``to_numbers`` are the vectorised cell
converters ``table_to_bars`` uses, exported for parsers with their own layouts.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ingest.datasets import DAILY_BARS
from ingest.errors import FileFormatError
from ingest.parsers.base import ParseContext, ParseResult, Reject
from ingest.sanitise import header_snippet

# Payload columns of daily_bars plus source_line, in table order.
BARS_COLUMNS: list[str] = [*DAILY_BARS.column_names, "source_line"]
_FLOAT_COLUMNS = [c.name for c in DAILY_BARS.columns if c.type == "DOUBLE"]

# Same "no value" tokens as base.parse_number, so vectorised and row-wise parsers agree.
MISSING_TOKENS = frozenset({"", "-", ".", "null", "None", "NaN", "nan", "N/A"})

# A date at the start of the cell; anything after a space or 'T' (time, tz offset) is ignored,
# so '2025-01-27 00:00:00-05:00' is 2025-01-27: the exchange-local day, never shifted to UTC.
_ISO_DATE = r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$"
_COMPACT_DATE = r"^(\d{4})(\d{2})(\d{2})$"  # Tushare-style 20250127
# Thousands separators are only accepted in properly grouped form, so a decimal-comma value
# read with decimal '.' ('7,8011') is rejected instead of silently becoming 78011.
_GROUPED = {
    ".": r"^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$",
    ",": r"^[-+]?\d{1,3}(?:\.\d{3})+(?:,\d*)?$",
}


def bars_frame(rows: list[dict[str, Any]] | pd.DataFrame, series_id: str) -> pd.DataFrame:
    """Return a daily_bars frame with every column, in order, with fixed dtypes.

    Missing columns become NaN (numbers) or False (is_perpetual); extra columns are dropped.
    ``bar_date`` may be strings, dates or datetimes; tz-aware values keep their local date.
    ``source_line`` defaults to the 1-based position of the row when absent.
    """
    frame = pd.DataFrame(rows).reset_index(drop=True) if len(rows) else pd.DataFrame()
    n = len(frame)
    out = pd.DataFrame(index=pd.RangeIndex(n))
    out["series_id"] = pd.Series([series_id] * n, dtype=object)
    dates = (
        pd.to_datetime(frame["bar_date"])
        if "bar_date" in frame
        else pd.Series(pd.NaT, index=out.index)
    )
    if isinstance(dates.dtype, pd.DatetimeTZDtype):
        dates = dates.dt.tz_localize(None)
    out["bar_date"] = dates.astype("datetime64[ns]").dt.normalize()
    for name in _FLOAT_COLUMNS:
        out[name] = (
            pd.to_numeric(frame[name], errors="raise").astype(float) if name in frame else np.nan
        )
    if "is_perpetual" in frame:
        out["is_perpetual"] = frame["is_perpetual"].fillna(False).astype(bool)
    else:
        out["is_perpetual"] = False
    if "source_line" in frame:
        out["source_line"] = frame["source_line"].astype("int64")
    else:
        out["source_line"] = np.arange(1, n + 1, dtype="int64")
    return out[BARS_COLUMNS]


@dataclass
class Table:
    """A tokenised CSV: header cells, the header's line and the data cells (all strings)."""

    origin: str
    header: list[str]
    header_line: int
    cells: pd.DataFrame  # columns 0..len(header)-1 by position, '' where a row is short
    lines: pd.Series  # 1-based physical line of each data row, aligned with cells
    # The whole record (joined) where it has non-empty cells past the header, else ''.
    overflow: pd.Series

    def __len__(self) -> int:
        return len(self.cells)

    def position(self, name: str) -> int | None:
        """Position of a column: exact (stripped) name first, then case-insensitive."""
        for i, h in enumerate(self.header):
            if h == name:
                return i
        for i, h in enumerate(self.header):
            if h.lower() == name.lower():
                return i
        return None

    def require(self, *names: str) -> dict[str, int]:
        """Positions of required columns; a missing one is a file error naming it."""
        positions: dict[str, int] = {}
        for name in names:
            pos = self.position(name)
            if pos is None:
                raise FileFormatError(
                    self.origin,
                    f"missing column {name!r} (header is {header_snippet(self.header)})",
                    line=self.header_line,
                    column=name,
                )
            positions[name] = pos
        return positions

    def column(self, name: str) -> pd.Series:
        return self.cells[self.require(name)[name]]

    def subset(self, mask: pd.Series | np.ndarray) -> Table:
        """The same table restricted to some data rows (e.g. without metadata rows)."""
        keep = np.asarray(mask, dtype=bool)
        return Table(
            self.origin,
            self.header,
            self.header_line,
            self.cells[keep].reset_index(drop=True),
            self.lines[keep].reset_index(drop=True),
            self.overflow[keep].reset_index(drop=True),
        )


def read_table(text: str, origin: str, delimiter: str = ",", skip_rows: int = 0) -> Table:
    """Tokenise CSV text: the first non-blank record (after ``skip_rows`` lines) is the header.

    Blank records are skipped; an empty text (or nothing after skip_rows) is a file error.
    """
    body = text
    if skip_rows:
        parts = text.split("\n", skip_rows)
        body = parts[skip_rows] if len(parts) > skip_rows else ""
    records: list[list[str]] = []
    lines: list[int] = []
    # Same records as base.csv_rows (blank records skipped), inlined because it is the hot loop.
    reader = csv.reader(io.StringIO(body), delimiter=delimiter, skipinitialspace=True)
    try:
        for cells in reader:
            if cells and "".join(cells).strip():
                lines.append(reader.line_num + skip_rows)
                records.append(cells)
    except csv.Error as exc:
        raise FileFormatError(
            origin, f"not readable as CSV ({exc})", line=skip_rows + len(lines) + 1
        ) from exc
    if not records:
        raise FileFormatError(origin, "empty file (no header line)", line=skip_rows + 1)
    header = [h.strip() for h in records[0]]
    width = len(header)
    # Short rows are padded with '' (a missing trailing cell = empty). Extra cells are cut off
    # but remembered: a non-empty one means the row is misaligned (e.g. '20,197.77' unquoted).
    data = [(r + [""] * (width - len(r)))[:width] for r in records[1:]]
    overflow = [delimiter.join(r) if any(c.strip() for c in r[width:]) else "" for r in records[1:]]
    cells = (
        pd.DataFrame(data, columns=range(width), dtype=object)
        if data
        else pd.DataFrame({i: pd.Series(dtype=object) for i in range(width)})
    )
    return Table(
        origin,
        header,
        lines[0],
        cells,
        pd.Series(lines[1:], dtype="int64"),
        pd.Series(overflow, dtype=object),
    )


def iso_dates(cells: pd.Series) -> pd.Series:
    """Parse 'YYYY-MM-DD' (optionally followed by a time/tz part) or 'YYYYMMDD'; NaT if not."""
    text = cells.fillna("").astype(str).str.strip()
    # Fast path: the first 10 characters, if what follows is nothing or a ' '/'T' time part.
    tail_ok = text.str.len().eq(10) | text.str.slice(10, 11).isin([" ", "T"])
    dates = pd.to_datetime(text.str.slice(0, 10).where(tail_ok), format="%Y-%m-%d", errors="coerce")
    dates = dates.astype("datetime64[ns]")
    slow = dates.isna().to_numpy() & text.ne("").to_numpy()
    if slow.any():
        rest = text[slow]
        parts = rest.str.extract(_ISO_DATE).fillna(rest.str.extract(_COMPACT_DATE))
        dates[slow] = dates_from_parts(parts[0], parts[1], parts[2])
    return dates


def format_dates(fmt: str) -> Callable[[pd.Series], pd.Series]:
    """A date converter for an explicit strptime format; '%z' keeps each row's local date."""

    def convert(cells: pd.Series) -> pd.Series:
        text = cells.fillna("").astype(str).str.strip()
        if "%z" not in fmt and "%Z" not in fmt:
            return pd.to_datetime(text, format=fmt, errors="coerce").dt.normalize()
        # Mixed UTC offsets defeat vectorised parsing; row-wise strptime keeps the local day.
        out = []
        for value in text:
            try:
                out.append(pd.Timestamp(pd.Timestamp.strptime(value, fmt).date()))
            except ValueError:
                out.append(pd.NaT)
        return pd.Series(out, index=cells.index, dtype="datetime64[ns]")

    return convert


def dates_from_parts(year: pd.Series, month: pd.Series, day: pd.Series) -> pd.Series:
    """Assemble dates from year/month/day parts (numbers or digit strings); 02/30 -> NaT."""
    frame = pd.DataFrame(
        {
            "year": pd.to_numeric(year, errors="coerce"),
            "month": pd.to_numeric(month, errors="coerce"),
            "day": pd.to_numeric(day, errors="coerce"),
        }
    )
    if frame.empty:
        return pd.Series(pd.NaT, index=year.index, dtype="datetime64[ns]")
    return pd.to_datetime(frame, errors="coerce").astype("datetime64[ns]")


def to_numbers(cells: pd.Series, decimal: str = ".") -> tuple[pd.Series, pd.Series]:
    """Vectorised ``parse_number``: (float values, mask of cells that are not numbers).

    Missing tokens ('', '-', 'NaN', ...) become NaN and are not flagged. '$', spaces, grouped
    thousands separators and accounting parentheses are accepted.
    """
    text = cells.fillna("").astype(str)
    if decimal == ".":
        # Fast path: plain numbers parse in C; only the leftovers need cleaning.
        values = pd.to_numeric(text, errors="coerce").astype(float)
        slow = values.isna().to_numpy()
    else:
        values = pd.Series(np.nan, index=text.index)
        slow = np.ones(len(text), dtype=bool)
    bad = np.zeros(len(text), dtype=bool)
    if slow.any():
        cleaned, cleaned_bad = _clean_numbers(text[slow], decimal)
        values[slow] = cleaned.to_numpy(dtype=float)
        bad[slow] = cleaned_bad.to_numpy(dtype=bool)
    return values, pd.Series(bad, index=text.index)


def _clean_numbers(text: pd.Series, decimal: str) -> tuple[pd.Series, pd.Series]:
    text = text.str.strip()
    missing = text.isin(MISSING_TOKENS)
    cleaned = text.str.replace(r"[$\s]", "", regex=True)
    negative = cleaned.str.match(r"^\(.*\)$")
    cleaned = cleaned.mask(negative, cleaned.str[1:-1])
    grouped = cleaned.str.match(_GROUPED.get(decimal, "$^"))
    thousands = "," if decimal == "." else "."
    cleaned = cleaned.mask(grouped, cleaned.str.replace(thousands, "", regex=False))
    if decimal != ".":
        cleaned = cleaned.str.replace(decimal, ".", regex=False)
    values = pd.to_numeric(cleaned.mask(missing), errors="coerce").astype(float)
    values = values.mask(negative, -values)
    return values, values.isna() & ~missing.astype(bool)


def table_to_bars(
    table: Table,
    ctx: ParseContext,
    date_column: str | int,
    columns: Mapping[str, str | int],
    *,
    decimal: str = ".",
    dates: Callable[[pd.Series], pd.Series] = iso_dates,
) -> ParseResult:
    """Convert a table to daily_bars: ``columns`` maps bar fields to source column names/positions.

    A row whose date or any mapped number cannot be parsed, or that has more (non-empty) cells
    than the header, is skipped with one Reject (its first problem, in that order: overflow,
    date, columns). Blank numbers stay NaN: dropping or keeping such rows is the caller's call.
    If data rows exist but every one fails, the file is taken to be in the wrong format
    (delimiter, decimal, date format) and a FileFormatError is raised.
    """

    def pos(col: str | int) -> int:
        return col if isinstance(col, int) else table.require(col)[col]

    def name(col: str | int) -> str:
        return table.header[col] if isinstance(col, int) else col

    date_pos = pos(date_column)
    positions = {field: pos(col) for field, col in columns.items()}
    n = len(table)
    rejected = np.zeros(n, dtype=bool)
    rejects: list[Reject] = []

    def flag(bad: np.ndarray, column: str | None, reason: str, raw: pd.Series) -> None:
        new = bad & ~rejected
        rejects.extend(
            Reject(int(table.lines[i]), column, reason, str(raw[i])) for i in np.flatnonzero(new)
        )
        rejected[new] = True

    flag(
        table.overflow.ne("").to_numpy(),
        None,
        f"more cells than the {len(table.header)} header columns (unquoted delimiter?)",
        table.overflow,
    )
    raw_dates = table.cells[date_pos]
    bar_date = dates(raw_dates) if n else pd.Series(dtype="datetime64[ns]")
    flag(bar_date.isna().to_numpy(), name(date_column), "unparseable date", raw_dates)
    values: dict[str, pd.Series] = {"bar_date": bar_date}
    for field, col in columns.items():
        raw = table.cells[positions[field]]
        numbers, bad = to_numbers(raw, decimal)
        flag(bad.to_numpy(), name(col), "unparseable number", raw)
        values[field] = numbers
    values["source_line"] = table.lines
    keep = ~rejected
    frame = pd.DataFrame(values)[keep] if n else pd.DataFrame(columns=list(values))
    if n and not keep.any():
        first = min(rejects, key=lambda r: r.line or 0)
        raise FileFormatError(
            ctx.origin,
            f"no row could be parsed ({len(rejects)} rejected; first: {first.reason}); "
            "check delimiter, decimal and date format",
            line=first.line,
            column=first.column,
        )
    rejects.sort(key=lambda r: r.line or 0)
    return ParseResult(bars_frame(frame, ctx.series_id), rejects)

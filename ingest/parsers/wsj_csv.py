"""WSJ/MarketWatch historical prices: ``Date, Open, High, Low, Close`` (comma + space).

Dates are MM/DD/YY, rows newest-first and the file has no trailing newline. Two-digit years
pivot at 90: 90-99 -> 1990-1999, 00-89 -> 2000-2089. WSJ index histories start in 1990, so
this reads every landing file right and keeps working until 2089 (Python's %y pivots at 69
and would turn 2069 into 1969). Four-digit years (MM/DD/YYYY) are taken as they are.
Row order is left to the loader, which sorts by the dataset key.
"""

from __future__ import annotations

import pandas as pd

from ingest.parsers.bars import dates_from_parts, read_table, table_to_bars
from ingest.parsers.base import ParseContext, ParseResult, decode_text

YEAR_PIVOT = 90  # two-digit years >= 90 are 19xx, the rest 20xx

_DATE = r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})$"
_COLUMNS = {"open": "Open", "high": "High", "low": "Low", "close": "Close"}


def parse(payload: bytes, ctx: ParseContext) -> ParseResult:
    text = decode_text(payload, ctx.origin)
    table = read_table(text, ctx.origin, ctx.options.get("delimiter") or ",")
    table.require("Date", *_COLUMNS.values())
    columns = dict(_COLUMNS)
    if table.position("Volume") is not None:  # some WSJ downloads carry it
        columns["volume"] = "Volume"
    return table_to_bars(table, ctx, "Date", columns, dates=wsj_dates)


def wsj_dates(cells: pd.Series) -> pd.Series:
    """MM/DD/YY (pivot at YEAR_PIVOT) or MM/DD/YYYY -> datetime64; NaT when not a real date."""
    parts = cells.fillna("").astype(str).str.strip().str.extract(_DATE)
    year = pd.to_numeric(parts[2], errors="coerce")
    short = (parts[2].str.len() == 2).to_numpy()
    year = year.mask(short, year + (year >= YEAR_PIVOT).map({True: 1900, False: 2000}))
    return dates_from_parts(year, parts[0], parts[1])

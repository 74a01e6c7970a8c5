"""Generic CSV: a user's own daily series, described in the catalog instead of in code.

Options (from the catalog entry):
  date_column, value_column   required; value_column becomes close
  open_column, high_column, low_column, volume_column   optional
  delimiter   default ',' ('tab' or '\\t' for tab-separated)
  decimal     default '.'
  date_format strptime format; default ISO 'YYYY-MM-DD', a time/tz suffix is ignored
              ('2025-01-27 00:00:00-05:00' -> 2025-01-27, the local date)
  skip_rows   lines to skip before the header (titles, notes)

An empty value cell is "no observation" (FRED-style holiday blanks) and is skipped without a
Reject; a value that is present but not a number is a Reject.
"""

from __future__ import annotations

from ingest.errors import FileFormatError
from ingest.parsers.bars import format_dates, iso_dates, read_table, table_to_bars
from ingest.parsers.base import ParseContext, ParseResult, decode_text

_OPTIONAL = {
    "open": "open_column",
    "high": "high_column",
    "low": "low_column",
    "volume": "volume_column",
}
_DELIMITER_ALIASES = {"tab": "\t", "\\t": "\t"}


def parse(payload: bytes, ctx: ParseContext) -> ParseResult:
    options = ctx.options
    date_column, value_column = options.get("date_column"), options.get("value_column")
    if not date_column or not value_column:
        raise FileFormatError(ctx.origin, "format 'csv' needs options date_column and value_column")
    delimiter = str(options.get("delimiter") or ",")
    delimiter = _DELIMITER_ALIASES.get(delimiter.lower(), delimiter)
    decimal = str(options.get("decimal") or ".")
    try:
        skip_rows = int(options.get("skip_rows") or 0)
    except (TypeError, ValueError) as exc:
        raise FileFormatError(
            ctx.origin, f"skip_rows must be an integer, got {options['skip_rows']!r}"
        ) from exc
    date_format = options.get("date_format")

    text = decode_text(payload, ctx.origin)
    table = read_table(text, ctx.origin, delimiter, skip_rows=skip_rows)
    columns = {"close": str(value_column)}
    columns.update(
        {field: str(options[key]) for field, key in _OPTIONAL.items() if options.get(key)}
    )
    table.require(str(date_column), *columns.values())

    dates = format_dates(str(date_format)) if date_format else iso_dates
    result = table_to_bars(table, ctx, str(date_column), columns, decimal=decimal, dates=dates)
    # Rows left with an empty value are non-observations (unparseable ones are already rejects).
    frame = result.frame
    result.frame = frame[frame["close"].notna()].reset_index(drop=True)
    return result

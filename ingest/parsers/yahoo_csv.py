"""yfinance CSV exports. Every variant in the landing folder is recognised from its header:

(a) ``Ticker.history()``: Date,Open,High,Low,Close,Volume,Dividends,Stock Splits with dates like
    ``2025-01-27 00:00:00-05:00``; bar_date is the local (exchange) date, never shifted to UTC;
(b) ``yf.download()`` >= 0.2.5x: Date,Close,High,Low,Open,Volume (any column order works);
(c) European-locale re-save: ``Date;Adj Close;Close;...`` with decimal commas (sniffed, unless
    the catalog passes ``delimiter``/``decimal``);
(d) multi-index export: ``Price,Adj Close,...`` / ``Ticker,^NDX,...`` / ``Date,,,`` then data;
(e) close-only ``Date,Close``; with ``last_row_intraday`` the last row (a live snapshot taken
    while the market was open) becomes a Reject instead of a bar.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

from ingest.errors import FileFormatError
from ingest.parsers.bars import Table, read_table, table_to_bars
from ingest.parsers.base import ParseContext, ParseResult, Reject, decode_text
from ingest.sanitise import header_snippet

INTRADAY_REASON = "intraday snapshot (last row of a close-only export)"

# daily_bars field -> yfinance column name (matched case-insensitively, all optional but Close).
_FIELDS = {
    "open": "Open",
    "high": "High",
    "low": "Low",
    "close": "Close",
    "adj_close": "Adj Close",
    "volume": "Volume",
    "dividends": "Dividends",
    "stock_splits": "Stock Splits",
}
_DECIMAL_COMMA = re.compile(r"^[-+]?\d+,\d+$")
_SNIFF_ROWS = 200


NEXT_OPEN_REASON = "last bar: its close is the next bar's open, not published yet"


def parse(payload: bytes, ctx: ParseContext) -> ParseResult:
    text = decode_text(payload, ctx.origin)
    delimiter = ctx.options.get("delimiter") or _sniff_delimiter(text)
    table = read_table(text, ctx.origin, delimiter)

    date_column: str | int
    if table.header[0].lower() == "price":
        # Multi-index export: the first header cell ('Price') heads the date column.
        table = _drop_multiindex_rows(table)
        date_column = 0
    elif table.position("Date") is None and table.position("Datetime") is not None:
        date_column = "Datetime"
    else:
        date_column = "Date"
        table.require("Date")
    table.require("Close")
    columns = {field: name for field, name in _FIELDS.items() if table.position(name) is not None}
    decimal = ctx.options.get("decimal") or _sniff_decimal(table, delimiter, columns.values())

    intraday: list[Reject] = []
    if ctx.options.get("last_row_intraday") and len(table):
        last = len(table) - 1
        raw = ",".join(str(c) for c in table.cells.iloc[last])
        intraday.append(Reject(int(table.lines[last]), None, INTRADAY_REASON, raw))
        table = table.subset(np.arange(len(table)) < last)

    result = table_to_bars(table, ctx, date_column, columns, decimal=decimal)
    if ctx.options.get("close_from_next_open"):
        result = _close_from_next_open(result, ctx)
    result.rejects = sorted(result.rejects + intraday, key=lambda r: r.line or 0)
    return result


def _close_from_next_open(result: ParseResult, ctx: ParseContext) -> ParseResult:
    """Yahoo FX (=X) daily bars publish a 'Close' equal to the bar's opening snapshot.

    A bar covers its UTC day, so its true close is the next bar's open (Monday's open closes
    Friday): take that, keep the bar's own open/high/low, and reject the last bar, whose close
    is not known yet.
    """
    frame = result.frame.sort_values("bar_date").reset_index(drop=True)
    if frame.empty:
        return result
    if frame["open"].isna().all():
        raise FileFormatError(
            ctx.origin, "close_from_next_open needs an Open column", column="Open"
        )
    next_open = frame["open"].shift(-1)
    last = frame.iloc[-1]
    rejects = list(result.rejects)
    rejects.append(
        Reject(int(last["source_line"]), "Open", NEXT_OPEN_REASON, str(last["bar_date"].date()))
    )
    frame = frame.assign(close=next_open, adj_close=next_open).iloc[:-1]
    return ParseResult(frame.dropna(subset=["close"]).reset_index(drop=True), rejects)


def _sniff_delimiter(text: str) -> str:
    """The most frequent of ',', ';', tab in the first non-blank line (',' on a tie)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def _sniff_decimal(table: Table, delimiter: str, names: Iterable[str]) -> str:
    """',' when the delimiter is not ',' and the first numbers look like '7,8011'."""
    if delimiter == ",":
        return "."
    head = table.cells.head(_SNIFF_ROWS)
    for name in names:
        cells = head[table.require(name)[name]].astype(str).str.strip()
        if cells.str.match(_DECIMAL_COMMA).any():
            return ","
    return "."


def _drop_multiindex_rows(table: Table) -> Table:
    """Drop the 'Ticker,...' and 'Date,,,' lines under a multi-index header (one ticker only)."""
    first = table.cells[0].astype(str).str.strip().str.lower() if len(table) else None
    n_meta = 0
    while first is not None and n_meta < len(table) and first[n_meta] in {"ticker", "date"}:
        if first[n_meta] == "ticker":
            tickers = {str(c).strip() for c in table.cells.iloc[n_meta, 1:]} - {""}
            if len(tickers) > 1:
                raise FileFormatError(
                    table.origin,
                    f"multi-ticker export ({header_snippet(sorted(tickers))}); "
                    "save one ticker per file",
                    line=int(table.lines[n_meta]),
                )
        n_meta += 1
    return table.subset(np.arange(len(table)) >= n_meta)

"""Farside Investors US spot ETF daily net flows (US$ millions) -> ``etf_flows`` long rows.

Two wire forms, one ``parse`` (the payload's first non-blank character tells them apart):

* ``farside_csv``: a wide CSV ``date,IBIT,FBTC,...,Total`` (ISO dates, negatives with a minus,
  Farside's '-' already turned into an empty cell);
* ``farside_html``: the "all data" web page (``/bitcoin-etf-flow-all-data/``,
  ``/ethereum-etf-flow-all-data/``). Its ``<table class="etf">`` has several header rows
  (issuer, ticker, fee), one row per US trading day dated like ``11 Jan 2024``, accounting
  negatives ``(95.1)``, thousands separators ``1,113.7``, '-' for an empty cell, and footer
  rows ``Total``/``Average``/``Maximum``/``Minimum`` that are summaries, not days.

One output row per (date, fund column) plus one for ``Total``. An empty cell is a null flow,
never 0. ``row_all_empty`` is True when every *fund* cell of the date is empty: Farside's
market-closed marker (its holiday rows carry Total 0.0 with every fund blank).
The product ('BTC', 'ETH') is not in the payload: it comes from the catalog option ``product``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from typing import Any

import pandas as pd

from ingest.errors import FileFormatError
from ingest.parsers.base import (
    ParseContext,
    ParseResult,
    Reject,
    csv_rows,
    decode_text,
    parse_number,
    require_columns,
)

TOTAL = "Total"
_FRAME_COLUMNS = [
    "product",
    "flow_date",
    "fund",
    "flow_usd_millions",
    "row_all_empty",
    "source_line",
]
_FOOTER_LABELS = {"total", "average", "maximum", "minimum"}
_HTML_DATE = re.compile(r"^\d{1,2} [A-Za-z]{3} \d{4}$")
_DASHES = {"\u2013", "\u2014", "\u2212"}  # en dash, em dash, minus sign: also "no value"


@dataclass
class _Row:
    line: int
    day: datetime
    cells: dict[str, str] = field(default_factory=dict)  # fund or Total -> cell text


def _product(ctx: ParseContext) -> str:
    product = str(ctx.options.get("product") or "").strip().upper()
    if not product:
        raise FileFormatError(
            ctx.origin, "landing option 'product' (BTC or ETH) is required for Farside flows"
        )
    return product


def _long_rows(
    rows: list[_Row], funds: list[str], product: str, rejects: list[Reject]
) -> pd.DataFrame:
    """Wide day rows -> long (product, flow_date, fund, flow, row_all_empty, source_line)."""
    out: list[dict[str, Any]] = []
    for row in rows:
        values: dict[str, float | None] = {}
        empty: dict[str, bool] = {}
        for name in [*funds, TOTAL]:
            text = row.cells.get(name, "").strip()
            text = "" if text in _DASHES else text
            try:
                values[name] = parse_number(text)
            except ValueError:
                rejects.append(Reject(row.line, name, "unparseable number", text))
                empty[name] = False  # garbage is not an empty cell
                continue
            empty[name] = values[name] is None
        all_empty = all(empty.get(f, True) for f in funds)
        for name, value in values.items():
            out.append(
                {
                    "product": product,
                    "flow_date": row.day,
                    "fund": name,
                    "flow_usd_millions": value,
                    "row_all_empty": all_empty,
                    "source_line": row.line,
                }
            )
    frame = pd.DataFrame.from_records(out, columns=_FRAME_COLUMNS)
    frame["product"] = frame["product"].astype("object")
    frame["flow_date"] = pd.to_datetime(frame["flow_date"]).astype("datetime64[ns]")
    frame["fund"] = frame["fund"].astype("object")
    frame["flow_usd_millions"] = frame["flow_usd_millions"].astype("float64")
    frame["row_all_empty"] = frame["row_all_empty"].astype("bool")
    frame["source_line"] = frame["source_line"].astype("int64")
    return frame


# --------------------------------------------------------------------------------------- CSV


def _parse_csv(text: str, ctx: ParseContext, product: str) -> ParseResult:
    records = csv_rows(text)
    first = next(records, None)
    if first is None:
        raise FileFormatError(ctx.origin, "empty payload: no header line")
    header_line, header = first
    positions = require_columns(header, ["date", TOTAL], ctx.origin, header_line)
    # Every other named column is a fund, in header order (first occurrence of a name wins).
    funds = [name for name in positions if name and name not in ("date", TOTAL)]
    width = max(positions.values()) + 1

    rejects: list[Reject] = []
    rows: list[_Row] = []
    for line, cells in records:
        cells = cells + [""] * (width - len(cells))  # a short row: missing trailing = empty
        raw_date = cells[positions["date"]].strip()
        try:
            day = datetime.strptime(raw_date, "%Y-%m-%d")
        except ValueError:
            rejects.append(Reject(line, "date", "unparseable date (want YYYY-MM-DD)", raw_date))
            continue
        values = {name: cells[positions[name]] for name in [*funds, TOTAL]}
        rows.append(_Row(line, day, values))
    frame = _long_rows(rows, funds, product, rejects)
    return ParseResult(frame=frame, rejects=sorted(rejects, key=lambda r: r.line or 0))


# -------------------------------------------------------------------------------------- HTML


class _EtfTable(HTMLParser):
    """Rows of the first ``<table class="etf">`` as (line, cell texts).

    Farside wraps cell text in ``<div>``/``<span>`` and its markup has unclosed or stray
    ``<tr>``s, so a row is opened by every ``<tr>`` and a cell by every ``<td>``/``<th>``
    rather than trusting end tags. Nested tables are ignored.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[tuple[int, list[str]]] = []
        self.found = False
        self._depth = 0  # table nesting depth while inside the etf table (1 = the table)
        self._done = False
        self._row: list[str] | None = None
        self._row_line = 0
        self._cell: list[str] | None = None

    def _close_cell(self) -> None:
        if self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
        self._cell = None

    def _close_row(self) -> None:
        self._close_cell()
        if self._row is not None:
            self.rows.append((self._row_line, self._row))
        self._row = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._done:
            return
        if tag == "table":
            if self._depth:
                self._depth += 1
            elif "etf" in (dict(attrs).get("class") or "").split():
                self.found, self._depth = True, 1
            return
        if self._depth != 1:
            return
        if tag == "tr":
            self._close_row()
            self._row, self._row_line = [], self.getpos()[0]
        elif tag in ("td", "th"):
            self._close_cell()
            if self._row is None:  # a cell outside any <tr>: give it a row
                self._row, self._row_line = [], self.getpos()[0]
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if self._done or not self._depth:
            return
        if tag == "table":
            self._depth -= 1
            if not self._depth:
                self._close_row()
                self._done = True
        elif self._depth == 1 and tag in ("td", "th"):
            self._close_cell()
        elif self._depth == 1 and tag == "tr":
            self._close_row()

    def handle_data(self, data: str) -> None:
        if self._depth == 1 and self._cell is not None:
            self._cell.append(data)


def _html_day(label: str) -> datetime | None:
    if not _HTML_DATE.match(label):
        return None
    try:
        return datetime.strptime(label, "%d %b %Y")
    except ValueError:
        return None


def _parse_html(text: str, ctx: ParseContext, product: str) -> ParseResult:
    table = _EtfTable()
    table.feed(text)
    table.close()
    if not table.found:
        raise FileFormatError(ctx.origin, 'no <table class="etf"> in the page')
    rows = [(line, cells) for line, cells in table.rows if any(cells)]
    first_day = next((i for i, (_, cells) in enumerate(rows) if _html_day(cells[0])), None)
    if first_day is None:
        raise FileFormatError(ctx.origin, "the etf table has no row dated like '11 Jan 2024'")
    # The ticker row is the last header row (before the first day) with a 'Total' cell;
    # the issuer-name and fee rows around it are presentation only.
    header = next(
        (
            (line, cells)
            for line, cells in reversed(rows[:first_day])
            if any(c.lower() == "total" for c in cells)
        ),
        None,
    )
    if header is None:
        raise FileFormatError(
            ctx.origin, "no ticker header row with a 'Total' column above the first day"
        )
    header_line, names = header
    total_pos = max(i for i, c in enumerate(names) if c.lower() == "total")
    fund_pos = {c: i for i, c in enumerate(names) if 0 < i < total_pos and c}
    funds = list(fund_pos)
    if not funds:
        raise FileFormatError(ctx.origin, "no fund columns in the header", line=header_line)

    rejects: list[Reject] = []
    days: list[_Row] = []
    for line, cells in rows[first_day:]:
        label = cells[0]
        day = _html_day(label)
        if day is None:
            if label.lower() not in _FOOTER_LABELS:
                rejects.append(Reject(line, "date", "not a date row (want '11 Jan 2024')", label))
            continue  # Total/Average/Maximum/Minimum: summaries, not days
        if len(cells) != len(names):
            reason = f"{len(cells)} cells, the header has {len(names)}"
            rejects.append(Reject(line, None, reason, label))
            continue
        values = {name: cells[pos] for name, pos in fund_pos.items()}
        values[TOTAL] = cells[total_pos]
        days.append(_Row(line, day, values))
    frame = _long_rows(days, funds, product, rejects)
    return ParseResult(frame=frame, rejects=sorted(rejects, key=lambda r: r.line or 0))


def parse(payload: bytes, ctx: ParseContext) -> ParseResult:
    product = _product(ctx)
    text = decode_text(payload, ctx.origin)
    if text.lstrip()[:1] == "<":
        return _parse_html(text, ctx, product)
    return _parse_csv(text, ctx, product)

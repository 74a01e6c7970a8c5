"""Event calendars -> ``calendar_events``. Three layouts, recognised from the header:

* ``date`` only (FOMC decision dates): event_type 'fomc' (or the catalog's ``event_type``
  option, which only this layout uses), event_name 'FOMC decision';
* ``event_date,event_name,event_type`` (macro release calendar): taken as published, with
  event_type lower-cased so 'FOMC' and 'fomc' are one type;
* ``date,ticker,timing`` (earnings dates): event_type 'earnings', event_name '<TICKER> earnings',
  timing upper-cased (BMO/AMC).

Dates are ISO (a time suffix is ignored). Duplicates (several tickers on one day are normal)
are the loader's business.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ingest.datasets import CALENDAR_EVENTS
from ingest.errors import FileFormatError
from ingest.parsers.bars import Table, iso_dates, read_table
from ingest.parsers.base import ParseContext, ParseResult, Reject, decode_text
from ingest.sanitise import header_snippet

EVENT_COLUMNS: list[str] = [*CALENDAR_EVENTS.column_names, "source_line"]
# Display names for the single-column layout; other types fall back to the upper-cased type.
_DEFAULT_NAMES = {"fomc": "FOMC decision", "cpi": "CPI release", "nfp": "NFP release"}


def parse(payload: bytes, ctx: ParseContext) -> ParseResult:
    text = decode_text(payload, ctx.origin)
    table = read_table(text, ctx.origin, ctx.options.get("delimiter") or ",")
    has = {h.lower() for h in table.header}
    if {"event_date", "event_name", "event_type"} <= has:
        date_column = "event_date"
        event_type = _text(table.column("event_type")).str.lower()
        event_name = _text(table.column("event_name"))
        ticker = timing = _nulls(table)
    elif {"date", "ticker"} <= has:
        date_column = "date"
        ticker = _text(table.column("ticker")).str.upper()
        event_type = pd.Series("earnings", index=ticker.index, dtype=object)
        event_name = ticker + " earnings"
        timing = _text(table.column("timing")).str.upper() if "timing" in has else _nulls(table)
    elif "date" in has:
        date_column = "date"
        kind = str(ctx.options.get("event_type") or "fomc").strip().lower()
        event_type = pd.Series(kind, index=table.cells.index, dtype=object)
        event_name = pd.Series(_DEFAULT_NAMES.get(kind, kind.upper()), index=table.cells.index)
        ticker = timing = _nulls(table)
    else:
        raise FileFormatError(
            ctx.origin,
            f"unrecognised calendar layout (header is {header_snippet(table.header)}); "
            "expected 'date', "
            "'event_date,event_name,event_type' or 'date,ticker,timing'",
            line=table.header_line,
            column="date",
        )

    raw_dates = table.column(date_column)
    event_date = iso_dates(raw_dates)
    rejects: list[Reject] = []
    rejected = np.zeros(len(table), dtype=bool)
    for bad, column, reason, raw in (
        (table.overflow.ne("").to_numpy(), None, "more cells than the header", table.overflow),
        (event_date.isna().to_numpy(), date_column, "unparseable date", raw_dates),
        (event_type.eq("").to_numpy(), "event_type", "missing event_type", event_type),
        (ticker.eq("").to_numpy(), "ticker", "missing ticker", ticker),
    ):
        new = bad & ~rejected
        rejects.extend(
            Reject(int(table.lines[i]), column, reason, str(raw[i])) for i in np.flatnonzero(new)
        )
        rejected |= new
    if len(table) and rejected.all():
        first = rejects[0]
        raise FileFormatError(
            ctx.origin,
            f"no row could be parsed ({len(rejects)} rejected; first: {first.reason})",
            line=first.line,
            column=first.column,
        )

    frame = pd.DataFrame(
        {
            "event_date": event_date.astype("datetime64[ns]"),
            "event_name": event_name.mask(event_name.eq(""), None).astype(object),
            "event_type": event_type.astype(object),
            "ticker": ticker.mask(ticker.eq(""), None).astype(object),
            "timing": timing.mask(timing.eq(""), None).astype(object),
            "source_line": table.lines.astype("int64"),
        }
    )[EVENT_COLUMNS]
    frame = frame[~rejected].reset_index(drop=True)
    rejects.sort(key=lambda r: r.line or 0)
    return ParseResult(frame, rejects)


def _text(cells: pd.Series) -> pd.Series:
    return cells.fillna("").astype(str).str.strip()


def _nulls(table: Table) -> pd.Series:
    """An all-missing text column; compares unequal to '' so it never triggers a Reject."""
    return pd.Series([None] * len(table), index=table.cells.index, dtype=object)

"""strategy.com MSTR daily file: quoted header, ``timestamp`` 'YYYY-MM-DD 00:00:00', newest first.

Only the price columns are daily_bars material: open/high/low/close (split-adjusted) and
``trading_volume``, which strategy.com publishes in USD, hence quote_volume (volume in shares
stays empty). The ~25 fundamental columns (mNAV, debt, BTC holdings...) are ignored here.
"""

from __future__ import annotations

from ingest.parsers.bars import read_table, table_to_bars
from ingest.parsers.base import ParseContext, ParseResult, decode_text

_COLUMNS = {
    "open": "open",
    "high": "high",
    "low": "low",
    "close": "close",
    "quote_volume": "trading_volume",
}


def parse(payload: bytes, ctx: ParseContext) -> ParseResult:
    text = decode_text(payload, ctx.origin)
    table = read_table(text, ctx.origin, ctx.options.get("delimiter") or ",")
    table.require("timestamp", *_COLUMNS.values())
    return table_to_bars(table, ctx, "timestamp", _COLUMNS)

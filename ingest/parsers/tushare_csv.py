"""Tushare ``index_global`` export: trade_date, open, high, low, close, pre_close, pct_chg, vol.

pre_close and pct_chg are derived fields (the previous close and the % change); they are not
stored, since staging recomputes returns from close. ``vol`` becomes volume. trade_date may be
ISO (this landing file) or Tushare's native YYYYMMDD.
"""

from __future__ import annotations

from ingest.parsers.bars import read_table, table_to_bars
from ingest.parsers.base import ParseContext, ParseResult, decode_text

_COLUMNS = {"open": "open", "high": "high", "low": "low", "close": "close", "volume": "vol"}


def parse(payload: bytes, ctx: ParseContext) -> ParseResult:
    text = decode_text(payload, ctx.origin)
    table = read_table(text, ctx.origin, ctx.options.get("delimiter") or ",")
    table.require("trade_date", *_COLUMNS.values())
    return table_to_bars(table, ctx, "trade_date", _COLUMNS)

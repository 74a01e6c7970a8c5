"""CryptoQuant daily OHLCV export: date, Open, High, Low, Close, Volume (UTC days).

The BTC file starts on 2009-01-03 with blank prices (and volume 0) until 2009-10-05: days
before any exchange price existed. They are not bars, but nothing should vanish silently, so
each becomes a Reject 'no price (blank OHLC)'.
"""

from __future__ import annotations

from ingest.parsers.bars import read_table, table_to_bars
from ingest.parsers.base import ParseContext, ParseResult, Reject, decode_text

NO_PRICE_REASON = "no price (blank OHLC)"

_COLUMNS = {"open": "Open", "high": "High", "low": "Low", "close": "Close", "volume": "Volume"}
_PRICES = ["Open", "High", "Low", "Close"]


def parse(payload: bytes, ctx: ParseContext) -> ParseResult:
    text = decode_text(payload, ctx.origin)
    table = read_table(text, ctx.origin, ctx.options.get("delimiter") or ",")
    positions = table.require("date", *_COLUMNS.values())
    prices = table.cells[[positions[name] for name in _PRICES]]
    blank = prices.apply(lambda col: col.astype(str).str.strip().eq("")).all(axis=1).to_numpy()
    no_price = [
        Reject(int(table.lines[i]), None, NO_PRICE_REASON, ",".join(table.cells.iloc[i]))
        for i in blank.nonzero()[0]
    ]
    result = table_to_bars(table.subset(~blank), ctx, "date", _COLUMNS)
    result.rejects = sorted(result.rejects + no_price, key=lambda r: r.line or 0)
    return result

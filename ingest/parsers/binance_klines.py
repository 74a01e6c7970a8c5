"""Binance spot daily klines: the live ``/api/v3/klines`` JSON array and its CSV re-save.

One ``parse`` serves both catalog formats (``binance_klines_json`` and ``binance_klines_csv``):
the payload is JSON when its first non-blank character is ``[`` (or ``{``, Binance's error
object), CSV otherwise.

* JSON: a list of klines ``[openTime ms, open, high, low, close, volume, closeTime,
  quoteVolume, trades, takerBase, takerQuote, ignore]``, prices as strings. ``source_line`` is
  the 1-based record number.
* CSV: header ``open_time,open,high,low,close,volume,close_time,quote_asset_volume,...`` with
  ``open_time`` as ``YYYY-MM-DD 00:00:00+00:00`` (or epoch ms). Columns are located by the first
  occurrence of each name and read by position, so the SOL/TAO files' trailing empty
  ``open_time.1`` and second ``open_time`` columns are harmless.

``bar_date`` is the UTC day of the bar open; a bar that does not open at 00:00 UTC is not a
daily bar and is rejected. ``volume`` is in the base coin, ``quote_volume`` in the quote coin.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from ingest.errors import FileFormatError
from ingest.parsers.bars import bars_frame
from ingest.parsers.base import (
    ParseContext,
    ParseResult,
    Reject,
    RowError,
    csv_rows,
    decode_text,
    finite_number,
    load_json,
    require_columns,
)
from ingest.sanitise import snippet

# CSV column -> daily_bars column; every one must hold a number.
_CSV_NUMBERS = {
    "open": "open",
    "high": "high",
    "low": "low",
    "close": "close",
    "volume": "volume",
    "quote_asset_volume": "quote_volume",
}
# JSON kline position -> (daily_bars column, Binance field name used in messages)
_JSON_NUMBERS = {
    1: ("open", "open"),
    2: ("high", "high"),
    3: ("low", "low"),
    4: ("close", "close"),
    5: ("volume", "volume"),
    7: ("quote_volume", "quoteAssetVolume"),
}
_JSON_FIELDS = 12


def _utc_day(raw: Any, column: str) -> datetime:
    """UTC day (naive midnight) of a bar open given as epoch ms or an ISO timestamp."""
    text = "" if raw is None else str(raw).strip()
    try:
        if text.lstrip("-").isdigit():
            moment = datetime.fromtimestamp(int(text) / 1000, tz=UTC)
        else:
            moment = datetime.fromisoformat(text)
            # A naive timestamp is taken as UTC: that is how Binance exports are written.
            moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
            moment = moment.astimezone(UTC)
    except (ValueError, OverflowError, OSError):
        raise RowError(column, "unparseable timestamp", text) from None
    if (moment.hour, moment.minute, moment.second, moment.microsecond) != (0, 0, 0, 0):
        raise RowError(column, "bar does not open at 00:00 UTC: not a daily kline", text)
    return moment.replace(tzinfo=None)


def _parse_csv(text: str, ctx: ParseContext) -> ParseResult:
    rows = csv_rows(text)
    first = next(rows, None)
    if first is None:
        raise FileFormatError(ctx.origin, "empty payload: no header line")
    header_line, header = first
    positions = require_columns(header, ["open_time", *_CSV_NUMBERS], ctx.origin, header_line)
    needed = max(positions[c] for c in ["open_time", *_CSV_NUMBERS]) + 1

    records: list[dict[str, Any]] = []
    rejects: list[Reject] = []
    for line, cells in rows:
        if len(cells) < needed:
            reason = f"{len(cells)} cells, expected at least {needed}"
            rejects.append(Reject(line, None, reason, ",".join(cells)))
            continue
        try:
            record: dict[str, Any] = {
                "bar_date": _utc_day(cells[positions["open_time"]], "open_time")
            }
            for source, target in _CSV_NUMBERS.items():
                record[target] = finite_number(cells[positions[source]], source)
        except RowError as err:
            rejects.append(Reject(line, err.column, err.reason, err.raw))
            continue
        record["source_line"] = line
        records.append(record)
    return ParseResult(frame=bars_frame(records, ctx.series_id), rejects=rejects)


def _parse_json(text: str, ctx: ParseContext) -> ParseResult:
    data = load_json(text, ctx.origin)
    if isinstance(data, dict):
        # Binance answers errors as {"code": -1121, "msg": "Invalid symbol."}
        detail = (
            f"Binance error {snippet(data.get('code'))}: {snippet(data.get('msg'))}"
            if "msg" in data
            else ""
        )
        raise FileFormatError(
            ctx.origin, f"expected a JSON array of klines, got an object. {detail}"
        )
    if not isinstance(data, list):
        raise FileFormatError(
            ctx.origin, f"expected a JSON array of klines, got {type(data).__name__}"
        )

    records: list[dict[str, Any]] = []
    rejects: list[Reject] = []
    for number, kline in enumerate(data, start=1):
        if not isinstance(kline, list) or len(kline) < _JSON_FIELDS:
            size = len(kline) if isinstance(kline, list) else type(kline).__name__
            reason = f"kline is not a {_JSON_FIELDS}-field array (got {size})"
            rejects.append(Reject(number, None, reason, json.dumps(kline)[:200]))
            continue
        try:
            record: dict[str, Any] = {"bar_date": _utc_day(kline[0], "openTime")}
            for position, (target, name) in _JSON_NUMBERS.items():
                record[target] = finite_number(kline[position], name)
        except RowError as err:
            rejects.append(Reject(number, err.column, err.reason, err.raw))
            continue
        record["source_line"] = number
        records.append(record)
    return ParseResult(frame=bars_frame(records, ctx.series_id), rejects=rejects)


def parse(payload: bytes, ctx: ParseContext) -> ParseResult:
    text = decode_text(payload, ctx.origin)
    start = text.lstrip()[:1]
    if start in ("[", "{"):
        return _parse_json(text, ctx)
    return _parse_csv(text, ctx)

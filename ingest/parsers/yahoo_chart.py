"""Yahoo Finance v8 chart API JSON (``/v8/finance/chart/<symbol>?interval=1d``).

Shape: ``{"chart": {"result": [{"meta": {...}, "timestamp": [...], "events": {...},
"indicators": {"quote": [{"open", "high", "low", "close", "volume"}],
"adjclose": [{"adjclose"}]}}], "error": null}}``. Daily timestamps are an instant inside the
session (often the open), so the bar date is the timestamp's date in the exchange's time zone
(``meta.exchangeTimezoneName``; ``meta.gmtoffset`` as a fallback). Close is split-adjusted,
adjclose split- and dividend-adjusted; events carry dividends and splits keyed by timestamp.
"""

from __future__ import annotations

import json
import logging
import math
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ingest.errors import FileFormatError
from ingest.parsers.bars import bars_frame
from ingest.parsers.base import ParseContext, ParseResult, Reject, load_json
from ingest.sanitise import snippet

log = logging.getLogger(__name__)

_QUOTE_FIELDS = ("open", "high", "low", "close", "volume")


def _load(payload: bytes, origin: str) -> dict[str, Any]:
    document = load_json(payload, origin)
    if not isinstance(document, dict) or not isinstance(document.get("chart"), dict):
        raise FileFormatError(origin, "not a Yahoo chart response: no top-level 'chart' object")
    return document["chart"]


def _result(chart: dict[str, Any], origin: str) -> dict[str, Any]:
    error = chart.get("error")
    if error:
        if isinstance(error, dict):
            code = error.get("code") or "error"
            message = error.get("description") or json.dumps(error)
            raise FileFormatError(origin, f"Yahoo chart error {snippet(code)}: {snippet(message)}")
        raise FileFormatError(origin, f"Yahoo chart error: {snippet(error)}")
    results = chart.get("result")
    if not isinstance(results, list) or not results or not isinstance(results[0], dict):
        raise FileFormatError(origin, "Yahoo chart response has no result")
    return results[0]


def _exchange_tz(meta: dict[str, Any], origin: str) -> tzinfo:
    name = meta.get("exchangeTimezoneName")
    if name:
        try:
            return ZoneInfo(str(name))
        except (ZoneInfoNotFoundError, ValueError):
            log.warning("%s: unknown time zone %r, using meta.gmtoffset", origin, name)
    offset = meta.get("gmtoffset")
    if isinstance(offset, int | float):
        return timezone(timedelta(seconds=int(offset)))
    raise FileFormatError(origin, "meta has neither a known exchangeTimezoneName nor gmtoffset")


def _series(block: dict[str, Any], name: str, length: int, origin: str) -> list[Any]:
    values = block.get(name)
    if values is None:
        return [None] * length
    if not isinstance(values, list) or len(values) != length:
        got = len(values) if isinstance(values, list) else type(values).__name__
        raise FileFormatError(
            origin, f"indicator {name!r} has {got} values for {length} timestamps", column=name
        )
    return values


def _number(value: Any) -> float:
    """A JSON number or null as float (NaN for missing)."""
    if value is None or isinstance(value, bool):
        return math.nan
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number


def _events_by_date(
    events: Any, kind: str, zone: tzinfo, value: Any, origin: str
) -> dict[date, float]:
    """Map the local date of each event of ``kind`` to its value (amount or split ratio)."""
    out: dict[date, float] = {}
    if not isinstance(events, dict) or not isinstance(events.get(kind), dict):
        return out
    for key, item in events[kind].items():
        if not isinstance(item, dict):
            continue
        stamp = item.get("date", key)
        try:
            day = datetime.fromtimestamp(int(stamp), UTC).astimezone(zone).date()
        except (TypeError, ValueError, OverflowError):
            log.warning("%s: %s event with unusable date %r ignored", origin, kind, stamp)
            continue
        number = value(item)
        if not math.isnan(number):
            out[day] = out.get(day, 0.0) + number if kind == "dividends" else number
    return out


def _split_ratio(item: dict[str, Any]) -> float:
    numerator, denominator = _number(item.get("numerator")), _number(item.get("denominator"))
    if not math.isnan(numerator) and not math.isnan(denominator) and denominator:
        return numerator / denominator
    ratio = str(item.get("splitRatio") or "")  # "10:1" or "10/1"
    for sep in (":", "/"):
        if sep in ratio:
            left, right = (_number(p) for p in ratio.split(sep, 1))
            if right and not math.isnan(left) and not math.isnan(right):
                return left / right
    return math.nan


def parse(payload: bytes, ctx: ParseContext) -> ParseResult:
    origin = ctx.origin
    result = _result(_load(payload, origin), origin)
    meta = result.get("meta") if isinstance(result.get("meta"), dict) else {}
    zone = _exchange_tz(meta, origin)

    timestamps = result.get("timestamp") or []  # absent when the range holds no bars
    if not isinstance(timestamps, list):
        raise FileFormatError(origin, "'timestamp' is not an array", column="timestamp")
    n = len(timestamps)
    indicators = result.get("indicators") if isinstance(result.get("indicators"), dict) else {}
    quotes = indicators.get("quote") or [{}]
    quote = quotes[0] if isinstance(quotes, list) and isinstance(quotes[0], dict) else {}
    if n and not quote:
        raise FileFormatError(origin, "no indicators.quote for the timestamps", column="quote")
    columns = {name: _series(quote, name, n, origin) for name in _QUOTE_FIELDS}
    adj_blocks = indicators.get("adjclose") or [{}]
    adj_block = adj_blocks[0] if isinstance(adj_blocks, list) and adj_blocks else {}
    adj_close = _series(adj_block if isinstance(adj_block, dict) else {}, "adjclose", n, origin)

    events = result.get("events")
    dividends = _events_by_date(
        events, "dividends", zone, lambda e: _number(e.get("amount")), origin
    )
    splits = _events_by_date(events, "splits", zone, _split_ratio, origin)

    rows: list[dict[str, Any]] = []
    rejects: list[Reject] = []
    for i, stamp in enumerate(timestamps):
        line = i + 1  # record number: 1-based index in 'timestamp'
        try:
            day = datetime.fromtimestamp(int(stamp), UTC).astimezone(zone).date()
        except (TypeError, ValueError, OverflowError):
            rejects.append(Reject(line, "timestamp", "not a unix timestamp", repr(stamp)))
            continue
        close = _number(columns["close"][i])
        if math.isnan(close):  # Yahoo pads halted / not-yet-settled days with nulls
            raw = columns["close"][i]
            rejects.append(Reject(line, "close", "no close", None if raw is None else repr(raw)))
            continue
        rows.append(
            {
                "bar_date": day,
                "open": _number(columns["open"][i]),
                "high": _number(columns["high"][i]),
                "low": _number(columns["low"][i]),
                "close": close,
                "adj_close": _number(adj_close[i]),
                "volume": _number(columns["volume"][i]),
                "quote_volume": math.nan,
                "dividends": dividends.pop(day, 0.0),
                "stock_splits": splits.pop(day, 0.0),
                "is_perpetual": False,
                "source_line": line,
            }
        )
    for kind, left in (("dividend", dividends), ("split", splits)):
        for day in sorted(left):  # an event on a day without a bar cannot be attached
            log.warning("%s: %s on %s has no bar; ignored", origin, kind, day)

    return ParseResult(frame=bars_frame(rows, ctx.series_id), rejects=rejects)

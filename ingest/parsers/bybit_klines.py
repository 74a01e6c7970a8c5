"""Bybit v5 daily klines of the *linear* category (USDT perpetual futures), saved as CSV.

Header ``timestamp,open,high,low,close,volume,turnover,date``: ``timestamp`` is the bar start in
epoch ms (00:00 UTC), ``volume`` is in the base coin and ``turnover`` in USDT (-> quote_volume).
Every bar is marked ``is_perpetual`` because these are perpetual-futures prices, not spot: a
basis to spot exists and funding is paid. When the optional ``date`` column is present it must
name the same UTC day as ``timestamp``; a mismatch rejects the row.
"""

from __future__ import annotations

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
    require_columns,
)

# CSV column -> daily_bars column
_NUMBERS = {
    "open": "open",
    "high": "high",
    "low": "low",
    "close": "close",
    "volume": "volume",
    "turnover": "quote_volume",
}


def _bar_day(text: str) -> datetime:
    try:
        moment = datetime.fromtimestamp(int(text) / 1000, tz=UTC)
    except (ValueError, OverflowError, OSError):
        raise RowError("timestamp", "unparseable epoch milliseconds", text) from None
    if (moment.hour, moment.minute, moment.second, moment.microsecond) != (0, 0, 0, 0):
        raise RowError("timestamp", "bar does not start at 00:00 UTC: not a daily kline", text)
    return moment.replace(tzinfo=None)


def parse(payload: bytes, ctx: ParseContext) -> ParseResult:
    rows = csv_rows(decode_text(payload, ctx.origin))
    first = next(rows, None)
    if first is None:
        raise FileFormatError(ctx.origin, "empty payload: no header line")
    header_line, header = first
    positions = require_columns(header, ["timestamp", *_NUMBERS], ctx.origin, header_line)
    needed = max(positions.values()) + 1
    date_pos = positions.get("date")

    records: list[dict[str, Any]] = []
    rejects: list[Reject] = []
    for line, cells in rows:
        if len(cells) < needed:
            reason = f"{len(cells)} cells, expected {needed}"
            rejects.append(Reject(line, None, reason, ",".join(cells)))
            continue
        try:
            day = _bar_day(cells[positions["timestamp"]].strip())
            if date_pos is not None:
                stated = cells[date_pos].strip()
                if stated != day.strftime("%Y-%m-%d"):
                    raise RowError(
                        "date", f"date disagrees with timestamp ({day:%Y-%m-%d} UTC)", stated
                    )
            # USDT perpetual, not spot: downstream must not mix it with spot prices unawares.
            record: dict[str, Any] = {"bar_date": day, "is_perpetual": True, "source_line": line}
            for source, target in _NUMBERS.items():
                record[target] = finite_number(cells[positions[source]].strip(), source)
        except RowError as err:
            rejects.append(Reject(line, err.column, err.reason, err.raw))
            continue
        records.append(record)
    return ParseResult(frame=bars_frame(records, ctx.series_id), rejects=rejects)

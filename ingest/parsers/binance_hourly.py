"""Binance hourly closes (``open_time,close``, bar open in UTC) turned into daily closes.

The close of UTC day D is the close of D's 23:00 bar, whose close is at 00:00 UTC of D+1: the
same instant as the Binance 1d kline close (checked: equal on every overlapping BTCUSDT day).

* A day without a 23:00 bar (the unfinished last day of each file) gets no daily bar and is
  reported as a Reject on the day's last line. Missing hours earlier in a day (2021 exchange
  maintenance) do not matter as long as the 23:00 bar exists.
* Only ``close`` is set. open/high/low stay null on purpose: the max/min of 24 hourly *closes*
  understates the true intraday range, and the previous day's close is not Binance's open, so
  filling them would fabricate OHLC that looks real. No volume is published either.

Set-based (pandas) throughout: a file holds ~39k hourly rows.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd

from ingest.errors import FileFormatError
from ingest.parsers.bars import bars_frame
from ingest.parsers.base import ParseContext, ParseResult, Reject, decode_text, require_columns

_CLOSING_HOUR = 23


def _read_cells(text: str, origin: str) -> pd.DataFrame:
    """All cells as strings, one row per physical line (blank lines kept so index + 1 = line)."""
    try:
        return pd.read_csv(
            io.StringIO(text),
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
        )
    except pd.errors.EmptyDataError as err:
        raise FileFormatError(origin, "empty payload: no header line") from err
    except pd.errors.ParserError as err:
        found = re.search(r"line (\d+)", str(err))
        raise FileFormatError(
            origin, f"malformed CSV: {err}", line=int(found.group(1)) if found else None
        ) from err


def _timestamps(raw: pd.Series) -> pd.Series:
    """Bar opens as naive UTC; epoch milliseconds or ISO text (naive = UTC). NaT if unparseable."""
    text = raw.str.strip()
    millis = pd.to_numeric(text.where(text.str.fullmatch(r"\d+")), errors="coerce")
    # Only the integer stamps go through unit="ms": pandas' float path (NaN for the ISO rows)
    # raises a spurious FloatingPointError now and then (seen in about 1 parse in 7).
    valid = millis.dropna().astype("int64")
    from_ms = pd.to_datetime(valid, unit="ms", utc=True).reindex(millis.index)
    from_iso = pd.to_datetime(
        text.where(millis.isna()), format="ISO8601", utc=True, errors="coerce"
    )
    return from_ms.fillna(from_iso).dt.tz_convert(None).astype("datetime64[ns]")


def parse(payload: bytes, ctx: ParseContext) -> ParseResult:
    cells = _read_cells(decode_text(payload, ctx.origin), ctx.origin)
    cells.index = pd.RangeIndex(1, len(cells) + 1, name="line")
    non_blank = cells.apply(lambda col: col.str.strip() != "").any(axis=1)
    cells = cells[non_blank]
    if cells.empty:
        raise FileFormatError(ctx.origin, "empty payload: no header line")
    header_line = int(cells.index[0])
    positions = require_columns(
        list(cells.iloc[0]), ["open_time", "close"], ctx.origin, line=header_line
    )
    body = cells.iloc[1:]
    raw_time = body[positions["open_time"]].str.strip()
    raw_close = body[positions["close"]].str.strip()

    opened = _timestamps(raw_time)
    close = pd.to_numeric(raw_close, errors="coerce")
    close = close.where(np.isfinite(close))
    bad_time = opened.isna()
    bad_close = ~bad_time & close.isna()

    rejects = [
        Reject(int(line), "open_time", "unparseable timestamp", raw)
        for line, raw in raw_time[bad_time].items()
    ]
    rejects += [
        Reject(int(line), "close", "empty value" if not raw else "unparseable number", raw)
        for line, raw in raw_close[bad_close].items()
    ]

    hours = pd.DataFrame({"opened": opened, "close": close, "raw_time": raw_time})[~bad_time]
    hours["day"] = hours["opened"].dt.normalize()
    closing = hours["opened"] == hours["day"] + pd.Timedelta(hours=_CLOSING_HOUR)
    daily = hours[closing & hours["close"].notna()]

    # Days without a 23:00 bar: report once, on the day's last line. A day whose 23:00 bar had
    # a bad close was already rejected on that line and is not reported twice.
    last = hours.reset_index().groupby("day").agg(line=("line", "max"), raw=("raw_time", "last"))
    incomplete = last[~last.index.isin(hours.loc[closing, "day"])]
    rejects += [
        Reject(int(row.line), "open_time", "incomplete UTC day: no 23:00 bar", row.raw)
        for row in incomplete.itertuples()
    ]
    rejects.sort(key=lambda r: r.line or 0)

    bars = pd.DataFrame(
        {"bar_date": daily["day"], "close": daily["close"], "source_line": daily.index}
    )
    return ParseResult(frame=bars_frame(bars, ctx.series_id), rejects=rejects)

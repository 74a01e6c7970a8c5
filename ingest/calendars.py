"""Trading sessions from exchange_calendars: real open/close instants, early closes included.

The library's own '24/7' and '24/5' calendars give UTC days (00:00 to the next 00:00), the
convention this warehouse uses for crypto and spot FX.
"""

from __future__ import annotations

import hashlib
import json

import exchange_calendars as xcals
import pandas as pd

SESSION_COLUMNS = ["calendar", "session_date", "open_utc", "close_utc", "is_early_close"]


def sessions(calendar: str, start: str, end: str) -> pd.DataFrame:
    """One row per session of ``calendar`` between ``start`` and ``end`` (inclusive dates)."""
    cal = xcals.get_calendar(calendar, start=start, end=end)
    schedule = cal.schedule
    early = set(cal.early_closes)
    index = schedule.index.tz_localize(None) if schedule.index.tz else schedule.index
    return pd.DataFrame(
        {
            "calendar": calendar,
            "session_date": index,
            "open_utc": schedule["open"].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(),
            "close_utc": schedule["close"].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(),
            "is_early_close": [d in early for d in schedule.index],
        }
    )


def sessions_recipe(calendars: list[str], start: str, end: str) -> str:
    """What a sessions table was computed from: calendars, date range and the library version
    (a new exchange_calendars release may add holidays)."""
    spec = json.dumps([sorted(calendars), start, end, xcals.__version__])
    return "computed from " + hashlib.sha256(spec.encode()).hexdigest()


def all_sessions(calendars: list[str], start: str, end: str) -> pd.DataFrame:
    frames = [sessions(c, start, end) for c in calendars]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=SESSION_COLUMNS)

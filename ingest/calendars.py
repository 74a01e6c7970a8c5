"""Trading sessions from exchange_calendars (real open/close instants, early closes included).

24/7 markets get one session per UTC day, opening at 00:00 UTC and closing at the next 00:00.
"""

from __future__ import annotations

import exchange_calendars as xcals
import pandas as pd

from ingest.catalog import ALWAYS_OPEN

SESSION_COLUMNS = ["calendar", "session_date", "open_utc", "close_utc", "is_early_close"]


def sessions(calendar: str, start: str, end: str) -> pd.DataFrame:
    """One row per session of ``calendar`` between ``start`` and ``end`` (inclusive dates)."""
    if calendar == ALWAYS_OPEN:
        days = pd.date_range(start, end, freq="D")
        return pd.DataFrame(
            {
                "calendar": calendar,
                "session_date": days,
                "open_utc": days,
                "close_utc": days + pd.Timedelta(days=1),
                "is_early_close": False,
            }
        )
    cal = xcals.get_calendar(calendar, start=start, end=end)
    schedule = cal.schedule
    early = set(cal.early_closes)
    return pd.DataFrame(
        {
            "calendar": calendar,
            "session_date": schedule.index.tz_localize(None)
            if schedule.index.tz
            else schedule.index,
            "open_utc": schedule["open"].dt.tz_convert("UTC").dt.tz_localize(None),
            "close_utc": schedule["close"].dt.tz_convert("UTC").dt.tz_localize(None),
            "is_early_close": [d in early for d in schedule.index],
        }
    ).reset_index(drop=True)


def all_sessions(calendars: list[str], start: str, end: str) -> pd.DataFrame:
    frames = [sessions(c, start, end) for c in calendars]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=SESSION_COLUMNS)

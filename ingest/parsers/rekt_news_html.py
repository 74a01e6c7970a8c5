"""rekt.news leaderboard page: the JSON in ``<script id="__NEXT_DATA__">``, not the visible table.

Entries sit at ``props.pageProps.leaderboard[]``; ``rekt.date`` is the incident day and the
top-level ``date`` the article's publication day, both M/D/YYYY (one entry, "SBF - MASK OFF",
writes M/D/YY, which is read as 20YY rather than rejected).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import pandas as pd

from ingest.errors import FileFormatError
from ingest.parsers.base import ParseContext, ParseResult, Reject, decode_text, parse_number

_SCRIPT_OPEN = re.compile(
    r"""<script\b[^>]*\bid\s*=\s*["']?__NEXT_DATA__["']?[^>]*>""", re.IGNORECASE
)
_SCRIPT_CLOSE = re.compile(r"</script\s*>", re.IGNORECASE)

ENTRY_KEYS = ("slug", "title", "date", "rekt", "tags")
REKT_KEYS = ("amount", "audit", "date")

COLUMNS = [
    "slug",
    "title",
    "incident_date",
    "published_date",
    "amount_usd",
    "audit",
    "tags",
    "source_line",
]


def _next_data(text: str, origin: str) -> Any:
    """Parse the __NEXT_DATA__ JSON; JSON errors point at the line/column of the HTML file."""
    opening = _SCRIPT_OPEN.search(text)
    if opening is None:
        raise FileFormatError(origin, 'no <script id="__NEXT_DATA__"> in the page')
    start = opening.end()
    closing = _SCRIPT_CLOSE.search(text, start)
    # Without a closing tag (truncated page) parse to the end: the JSON error then says where.
    body = text[start : closing.start() if closing else len(text)]
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        base_line = text.count("\n", 0, start) + 1
        base_col = start - (text.rfind("\n", 0, start) + 1)  # 0-based column of the JSON start
        line = base_line + exc.lineno - 1
        col = exc.colno + base_col if exc.lineno == 1 else exc.colno
        raise FileFormatError(
            origin,
            f"invalid or truncated __NEXT_DATA__ JSON at line {line} column {col} ({exc.msg})",
            line=line,
        ) from exc


def _day(value: Any) -> pd.Timestamp | None:
    """M/D/YYYY (or M/D/YY) -> day; null or blank -> None; raises ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ValueError("not a M/D/YYYY date")
    text = value.strip()
    for pattern in ("%m/%d/%Y", "%m/%d/%y"):
        try:
            return pd.Timestamp(datetime.strptime(text, pattern))
        except ValueError:
            continue
    raise ValueError("not a M/D/YYYY date")


def _amount(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, int | float):
        return float(value)
    return parse_number(str(value))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _tags(value: Any) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise ValueError("not a list of tags")
    return [str(tag) for tag in value]


def parse(payload: bytes, ctx: ParseContext) -> ParseResult:
    data = _next_data(decode_text(payload, ctx.origin), ctx.origin)
    try:
        entries = data["props"]["pageProps"]["leaderboard"]
    except (KeyError, TypeError) as exc:
        raise FileFormatError(
            ctx.origin, "__NEXT_DATA__ has no props.pageProps.leaderboard", column="leaderboard"
        ) from exc
    if not isinstance(entries, list):
        raise FileFormatError(ctx.origin, "leaderboard is not a list", column="leaderboard")

    rows: list[dict[str, Any]] = []
    rejects: list[Reject] = []
    for index, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("rekt"), dict):
            raise FileFormatError(ctx.origin, f"leaderboard entry {index} is not a rekt entry")
        for key in ENTRY_KEYS:
            if key not in entry:
                raise FileFormatError(ctx.origin, f"entry {index} has no key {key!r}", column=key)
        rekt = entry["rekt"]
        for key in REKT_KEYS:
            if key not in rekt:
                message = f"entry {index} has no key 'rekt.{key}'"
                raise FileFormatError(ctx.origin, message, column=f"rekt.{key}")

        # (source key, raw value, converter): a converter's ValueError rejects the entry.
        conversions = (
            ("rekt.date", rekt["date"], _day),
            ("date", entry["date"], _day),
            ("rekt.amount", rekt["amount"], _amount),
            ("tags", entry["tags"], _tags),
        )
        values: list[Any] = []
        for key, raw, convert in conversions:
            try:
                values.append(convert(raw))
            except ValueError as exc:
                rejects.append(Reject(index, key, str(exc), json.dumps(raw)))
                break
        if len(values) < len(conversions):
            continue
        incident_date, published_date, amount, tags = values
        rows.append(
            {
                "slug": _text(entry["slug"]),
                "title": _text(entry["title"]),
                "incident_date": incident_date,
                "published_date": published_date,
                "amount_usd": amount,
                "audit": _text(rekt["audit"]),
                "tags": tags,
                "source_line": index,
            }
        )

    frame = pd.DataFrame(rows, columns=COLUMNS)
    for column in ("incident_date", "published_date"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    frame["amount_usd"] = frame["amount_usd"].astype("float64")
    frame["source_line"] = frame["source_line"].astype("int64")
    return ParseResult(frame=frame, rejects=rejects)

"""SlowMist Hacked CSV (scraped from hacked.slowmist.io).

Columns: date, name, description, loss_usd, attack_method, reference, year. SlowMist writes
0.0 when it reports no loss figure (875 of 2,100 rows); ``loss_usd_reported`` keeps the figure as
published and dbt reads 0.0 as "loss unknown" (macro known_loss_usd, the one place of that rule). Names and descriptions keep HTML entities (``&#39;``,
``&amp;``) from the scraped pages; they are unescaped here.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

import pandas as pd

from ingest.parsers.base import (
    ParseContext,
    ParseResult,
    Reject,
    csv_records,
    parse_number,
)

REQUIRED = ["date", "name", "description", "loss_usd", "attack_method", "reference"]

COLUMNS = [
    "incident_date",
    "name",
    "description",
    "loss_usd_reported",
    "attack_method",
    "reference_url",
    "source_line",
]


def _text(value: str) -> str | None:
    text = html.unescape(value).strip()
    return text or None


def _day(value: str) -> pd.Timestamp | None:
    if not value.strip():
        return None  # required: the loader rejects a null date, not a parse error
    return pd.Timestamp(datetime.strptime(value.strip(), "%Y-%m-%d"))


def parse(payload: bytes, ctx: ParseContext) -> ParseResult:
    pos, records, rejects = csv_records(payload, ctx.origin, REQUIRED)

    rows: list[dict[str, Any]] = []
    for line, cells in records:
        try:
            incident_date = _day(cells[pos["date"]])
        except ValueError:
            rejects.append(Reject(line, "date", "not a YYYY-MM-DD date", cells[pos["date"]]))
            continue
        try:
            reported = parse_number(cells[pos["loss_usd"]])
        except ValueError:
            rejects.append(Reject(line, "loss_usd", "not a number", cells[pos["loss_usd"]]))
            continue
        rows.append(
            {
                "incident_date": incident_date,
                "name": _text(cells[pos["name"]]),
                "description": _text(cells[pos["description"]]),
                "loss_usd_reported": reported,
                "attack_method": _text(cells[pos["attack_method"]]),
                "reference_url": _text(cells[pos["reference"]]),
                "source_line": line,
            }
        )

    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["incident_date"] = pd.to_datetime(frame["incident_date"]).astype("datetime64[ns]")
    frame["loss_usd_reported"] = frame["loss_usd_reported"].astype("float64")
    frame["source_line"] = frame["source_line"].astype("int64")
    return ParseResult(frame=frame, rejects=rejects)

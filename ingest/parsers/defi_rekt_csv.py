"""De.Fi REKT database CSV (from De.Fi's REST API).

Columns: id, date, name, category, chain, funds_lost, funds_recovered, funds_returned,
scam_type, scam_parent, year. Every row is kept, scams and honeypots included (staging filters
on scam_parent). 925 of 4,023 rows have a blank date: that is De.Fi's "unknown", so the row is
kept with a null incident_date rather than rejected.
"""

from __future__ import annotations

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

REQUIRED = [
    "id",
    "date",
    "name",
    "category",
    "chain",
    "funds_lost",
    "funds_recovered",
    "funds_returned",
    "scam_type",
    "scam_parent",
]

# source column -> dataset column
AMOUNTS = {
    "funds_lost": "funds_lost_usd",
    "funds_recovered": "funds_recovered_usd",
    "funds_returned": "funds_returned_usd",
}
TEXTS = {
    "id": "rekt_id",
    "name": "name",
    "category": "category",
    "chain": "chain",
    "scam_type": "scam_type",
    "scam_parent": "scam_parent",
}

COLUMNS = [
    "rekt_id",
    "incident_date",
    "name",
    "category",
    "chain",
    "funds_lost_usd",
    "funds_recovered_usd",
    "funds_returned_usd",
    "scam_type",
    "scam_parent",
    "source_line",
]


def _text(value: str) -> str | None:
    text = value.strip()
    return text or None  # blank chain (CeFi rows) or scam_type -> null


def parse(payload: bytes, ctx: ParseContext) -> ParseResult:
    pos, records, rejects = csv_records(payload, ctx.origin, REQUIRED)

    rows: list[dict[str, Any]] = []
    for line, cells in records:
        row: dict[str, Any] = {
            target: _text(cells[pos[source]]) for source, target in TEXTS.items()
        }
        row["source_line"] = line

        raw_date = cells[pos["date"]].strip()
        try:
            row["incident_date"] = (
                pd.Timestamp(datetime.strptime(raw_date, "%Y-%m-%d")) if raw_date else None
            )
        except ValueError:
            rejects.append(Reject(line, "date", "not a YYYY-MM-DD date", raw_date))
            continue

        bad = None
        for source, target in AMOUNTS.items():
            try:
                row[target] = parse_number(cells[pos[source]])
            except ValueError:
                bad = Reject(line, source, "not a number", cells[pos[source]])
                break
        if bad is not None:
            rejects.append(bad)
            continue
        rows.append(row)

    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["incident_date"] = pd.to_datetime(frame["incident_date"]).astype("datetime64[ns]")
    for column in AMOUNTS.values():
        frame[column] = frame[column].astype("float64")
    frame["source_line"] = frame["source_line"].astype("int64")
    return ParseResult(frame=frame, rejects=rejects)

"""DeFiLlama ``/hacks``: a JSON array of incident records (landing file and live API bytes).

``date`` is unix seconds at 00:00 UTC of the incident day; ``amount`` may be null (kept, the
row is still an incident); names can carry stray whitespace (e.g. ``"Peapods Finance\\n\\n"``).
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from ingest.errors import FileFormatError
from ingest.parsers.base import (
    ParseContext,
    ParseResult,
    Reject,
    load_json,
    parse_number,
)

# Every record of the API carries these keys; a missing one means the API changed shape, which
# must fail loudly rather than load a column of nulls. ``parentProtocolId`` is genuinely optional.
REQUIRED_KEYS = (
    "date",
    "name",
    "classification",
    "technique",
    "amount",
    "chain",
    "bridgeHack",
    "targetType",
    "source",
    "returnedFunds",
    "defillamaId",
    "language",
)

COLUMNS = [
    "incident_date",
    "name",
    "classification",
    "technique",
    "amount_usd",
    "chains",
    "bridge_hack",
    "target_type",
    "source_url",
    "returned_usd",
    "defillama_id",
    "language",
    "parent_protocol_id",
    "source_line",
]


def _number(value: Any) -> float | None:
    """JSON number (or numeric string) -> float; raises ValueError for anything else."""
    if value is None:
        return None
    if isinstance(value, bool):  # bool is an int subclass; True is not an amount
        raise ValueError("boolean is not a number")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        return parse_number(value)
    raise ValueError(f"{type(value).__name__} is not a number")


def _text(value: Any) -> str | None:
    """Optional text: blank strings (e.g. ``source: ""`` on every record) mean missing."""
    if value is None:
        return None
    text = str(value)
    return text if text.strip() else None


def _id(value: Any) -> str | None:
    """Ids arrive as ints (defillamaId) or strings (parentProtocolId); store both as text."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _text(value)


def _chains(value: Any) -> list[str] | None:
    if value is None:  # 5 records have chain: null (unknown), distinct from [] (none listed)
        return None
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise ValueError(f"{type(value).__name__} is not a list of chains")
    return [str(chain) for chain in value]


def _day(value: Any) -> pd.Timestamp:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("not unix seconds")
    return pd.Timestamp(int(value), unit="s").normalize()


class _BadValue(ValueError):
    """A record value that cannot be converted: the record becomes a Reject."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(reason)
        self.key = key
        self.reason = reason


def _row(record: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    conversions = (
        ("date", "incident_date", _day),
        ("amount", "amount_usd", _number),
        ("returnedFunds", "returned_usd", _number),
        ("chain", "chains", _chains),
    )
    for key, column, convert in conversions:
        try:
            row[column] = convert(record[key])
        except (ValueError, TypeError, OverflowError) as exc:
            raise _BadValue(key, str(exc)) from exc
    name = _text(record["name"])
    row["name"] = name.strip() if name is not None else None
    row["classification"] = _text(record["classification"])
    row["technique"] = _text(record["technique"])
    bridge = record["bridgeHack"]
    row["bridge_hack"] = bridge if isinstance(bridge, bool) else None
    row["target_type"] = _text(record["targetType"])
    row["source_url"] = _text(record["source"])
    row["defillama_id"] = _id(record["defillamaId"])
    row["language"] = _text(record["language"])
    row["parent_protocol_id"] = _id(record.get("parentProtocolId"))
    return row


def parse(payload: bytes, ctx: ParseContext) -> ParseResult:
    records = load_json(payload, ctx.origin)
    if not isinstance(records, list):
        raise FileFormatError(
            ctx.origin, f"expected a JSON array of hacks, got {type(records).__name__}", line=1
        )

    rows: list[dict[str, Any]] = []
    rejects: list[Reject] = []
    for index, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise FileFormatError(ctx.origin, f"record {index} is not a JSON object")
        for key in REQUIRED_KEYS:
            if key not in record:
                raise FileFormatError(ctx.origin, f"record {index} has no key {key!r}", column=key)

        try:
            row = _row(record)
        except _BadValue as bad:
            rejects.append(Reject(index, bad.key, bad.reason, json.dumps(record[bad.key])))
            continue
        row["source_line"] = index
        rows.append(row)

    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["incident_date"] = pd.to_datetime(frame["incident_date"]).astype("datetime64[ns]")
    for column in ("amount_usd", "returned_usd"):
        frame[column] = frame[column].astype("float64")
    frame["bridge_hack"] = frame["bridge_hack"].astype("boolean")
    frame["source_line"] = frame["source_line"].astype("int64")
    return ParseResult(frame=frame, rejects=rejects)

"""BlockSec Security Incidents Library JSON: ``{"count": N, "list": [incident, ...]}``.

``date`` and ``transactions[].txnHashDate`` are unix *milliseconds* (UTC, with time of day);
``loss`` and ``rescued`` are decimal strings. A txnHashDate of 0 means BlockSec has no time for
that transaction (one record lists an address with date 0), so it is not a 1970 timestamp.
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

REQUIRED_KEYS = (
    "id",
    "project",
    "loss",
    "chainIds",
    "transactions",
    "media",
    "rootCause",
    "date",
    "rescued",
)
TX_KEYS = ("txnHash", "txnHashDate")

COLUMNS = [
    "incident_id",
    "project",
    "incident_time_utc",
    "loss_usd",
    "rescued_usd",
    "chain_ids",
    "root_cause",
    "media_url",
    "first_tx_time_utc",
    "tx_hashes",
    "source_line",
]


class _BadValue(ValueError):
    """A record value that cannot be converted: the record becomes a Reject."""

    def __init__(self, key: str, reason: str, raw: Any) -> None:
        super().__init__(reason)
        self.key = key
        self.reason = reason
        self.raw = raw


def _millis(value: Any, key: str) -> int | None:
    """Unix milliseconds as int; None/0 mean no time. Raises _BadValue for anything else."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _BadValue(key, "not unix milliseconds", value)
    try:
        millis = int(value)
    except ValueError as exc:
        raise _BadValue(key, "not unix milliseconds", value) from exc
    return millis or None


def _amount(value: Any, key: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise _BadValue(key, "not a number", value)
    if isinstance(value, int | float):
        return float(value)
    try:
        return parse_number(str(value))
    except ValueError as exc:
        raise _BadValue(key, "not a number", value) from exc


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None  # media/poc are "" when BlockSec has none


def _timestamp(millis: int | None, key: str) -> pd.Timestamp | None:
    if millis is None:
        return None
    try:
        return pd.Timestamp(millis, unit="ms")  # tz-naive, UTC by construction
    except (ValueError, OverflowError) as exc:
        raise _BadValue(key, "unix milliseconds out of range", millis) from exc


def _row(record: dict[str, Any], index: int, origin: str) -> dict[str, Any]:
    chain_ids = record["chainIds"]
    if not isinstance(chain_ids, list):
        raise _BadValue("chainIds", "not a list", chain_ids)
    transactions = record["transactions"]
    if not isinstance(transactions, list):
        raise _BadValue("transactions", "not a list", transactions)

    txs: list[tuple[int | None, str]] = []
    for tx in transactions:
        if not isinstance(tx, dict):
            raise FileFormatError(origin, f"record {index}: a transaction is not a JSON object")
        for key in TX_KEYS:
            if key not in tx:
                message = f"record {index}: a transaction has no key {key!r}"
                raise FileFormatError(origin, message, column=key)
        txs.append((_millis(tx["txnHashDate"], "transactions"), str(tx["txnHash"])))
    # Earliest first, then by hash for a stable order; transactions without a time go last.
    txs.sort(key=lambda t: (t[0] is None, t[0] or 0, t[1]))
    known = [millis for millis, _ in txs if millis is not None]

    return {
        "incident_id": _text(record["id"]),
        "project": _text(record["project"]),
        "incident_time_utc": _timestamp(_millis(record["date"], "date"), "date"),
        "loss_usd": _amount(record["loss"], "loss"),
        "rescued_usd": _amount(record["rescued"], "rescued"),
        "chain_ids": [str(chain) for chain in chain_ids],
        "root_cause": _text(record["rootCause"]),
        "media_url": _text(record["media"]),
        "first_tx_time_utc": _timestamp(min(known), "transactions") if known else None,
        "tx_hashes": [tx_hash for _, tx_hash in txs],
        "source_line": index,
    }


def parse(payload: bytes, ctx: ParseContext) -> ParseResult:
    document = load_json(payload, ctx.origin)
    if not isinstance(document, dict) or not isinstance(document.get("list"), list):
        raise FileFormatError(
            ctx.origin, 'expected a JSON object {"count": ..., "list": [...]}', column="list"
        )
    records = document["list"]
    count = document.get("count")
    if isinstance(count, int) and count != len(records):
        # The API pages its results: a short list means this payload is one page, not all.
        raise FileFormatError(
            ctx.origin, f"count says {count} incidents but list has {len(records)}", column="count"
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
            rows.append(_row(record, index, ctx.origin))
        except _BadValue as bad:
            rejects.append(Reject(index, bad.key, bad.reason, json.dumps(bad.raw)))

    frame = pd.DataFrame(rows, columns=COLUMNS)
    for column in ("incident_time_utc", "first_tx_time_utc"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    for column in ("loss_usd", "rescued_usd"):
        frame[column] = frame[column].astype("float64")
    frame["source_line"] = frame["source_line"].astype("int64")
    return ParseResult(frame=frame, rejects=rejects)

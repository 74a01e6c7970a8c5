"""Helpers for connector tests: real-data payload builders and a raw scripted HTTP server.

Nothing here touches the network beyond 127.0.0.1. Payloads are the real landing files served
verbatim (FRED CSV, DeFiLlama /hacks JSON) or API responses rebuilt from real rows (Yahoo chart
JSON from a yfinance export, Binance klines JSON from a klines CSV).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import socket
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ingest.parsers import FORMATS, Parser

# ---------------------------------------------------------------- payloads from real rows


def yahoo_chart_json(
    csv_bytes: bytes,
    symbol: str,
    first: date,
    last: date,
    tz_name: str = "America/New_York",
    session_open: time = time(9, 30),
    gmtoffset: int = -18000,
) -> dict[str, Any]:
    """A Yahoo v8 chart response for ``symbol`` built from a yfinance ``history()`` CSV.

    Yahoo stamps daily bars with an instant of the session (09:30 local for US equities);
    events are keyed by the same timestamp, as the API does.
    """
    zone = ZoneInfo(tz_name)
    timestamps: list[int] = []
    quote: dict[str, list[float | int | None]] = {k: [] for k in ("open", "high", "low", "close")}
    quote["volume"] = []
    dividends: dict[str, dict[str, Any]] = {}
    splits: dict[str, dict[str, Any]] = {}
    for row in csv.DictReader(io.StringIO(csv_bytes.decode())):
        day = date.fromisoformat(row["Date"][:10])
        if not first <= day <= last:
            continue
        stamp = int(datetime.combine(day, session_open, tzinfo=zone).timestamp())
        timestamps.append(stamp)
        for name in ("open", "high", "low", "close"):
            quote[name].append(float(row[name.capitalize()]))
        quote["volume"].append(int(float(row["Volume"])))
        if float(row["Dividends"]):
            dividends[str(stamp)] = {"amount": float(row["Dividends"]), "date": stamp}
        ratio = float(row["Stock Splits"])
        if ratio:
            splits[str(stamp)] = {
                "date": stamp,
                "numerator": ratio,
                "denominator": 1.0,
                "splitRatio": f"{ratio:g}:1",
            }
    meta = {
        "currency": "USD",
        "symbol": symbol,
        "exchangeName": "NMS",
        "instrumentType": "EQUITY",
        "gmtoffset": gmtoffset,
        "timezone": "EST",
        "exchangeTimezoneName": tz_name,
        "dataGranularity": "1d",
        "range": "",
    }
    events: dict[str, Any] = {}
    if dividends:
        events["dividends"] = dividends
    if splits:
        events["splits"] = splits
    result = {
        "meta": meta,
        "timestamp": timestamps,
        "events": events,
        "indicators": {"quote": [quote], "adjclose": [{"adjclose": list(quote["close"])}]},
    }
    return {"chart": {"result": [result], "error": None}}


def binance_klines(csv_bytes: bytes) -> list[list[Any]]:
    """Binance /api/v3/klines rows (numbers as 8-decimal strings, times in ms) from a klines CSV."""
    rows: list[list[Any]] = []
    for row in csv.reader(io.StringIO(csv_bytes.decode())):
        if row[0] == "open_time":
            continue
        open_ms = int(datetime.fromisoformat(row[0]).timestamp() * 1000)

        def num(i: int, row: list[str] = row) -> str:
            return f"{float(row[i]):.8f}"

        rows.append(
            [open_ms, num(1), num(2), num(3), num(4), num(5), int(row[6]), num(7), int(row[8]),
             num(9), num(10), "0"]
        )  # fmt: skip
    return rows


def ms(day: str) -> int:
    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp() * 1000)


def parser_for(fmt: str) -> Parser:
    """The format's parser, or skip when its module is still being written by someone else."""
    try:
        return FORMATS[fmt].parser
    except ModuleNotFoundError as exc:
        pytest.skip(f"parser for {fmt!r} not available yet ({exc})")


# ---------------------------------------------------------------- raw scripted server


@dataclass
class RawReply:
    """What one connection gets: optional delay, then raw bytes, then the socket is closed."""

    data: bytes
    delay: float = 0.0


def http_reply(body: bytes, content_length: int | None = None, status: str = "200 OK") -> bytes:
    length = len(body) if content_length is None else content_length
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: text/csv\r\nContent-Length: {length}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body


class ScriptedServer:
    """A tiny threaded TCP server answering each connection with the next scripted reply.

    Needed where werkzeug cannot help: a body shorter than its Content-Length, or a reply
    delayed past the client's read timeout while the next connection is answered at once.
    """

    def __init__(self, replies: list[RawReply]) -> None:
        self.replies = list(replies)
        self.requests: list[bytes] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.1)
        self.port = self._sock.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                reply = (
                    self.replies.pop(0)
                    if self.replies
                    else RawReply(http_reply(b"", 0, "599 Script Exhausted"))
                )
            threading.Thread(target=self._answer, args=(conn, reply), daemon=True).start()

    def _answer(self, conn: socket.socket, reply: RawReply) -> None:
        with conn:
            conn.settimeout(2.0)
            request = b""
            try:
                while b"\r\n\r\n" not in request:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    request += chunk
            except OSError:
                return
            with self._lock:
                self.requests.append(request)
            if reply.delay and self._stop.wait(reply.delay):
                return  # shutting down
            # The client may have given up (timeout) and closed: expected, not an error.
            with contextlib.suppress(OSError):
                conn.sendall(reply.data)

    def close(self) -> None:
        self._stop.set()
        self._sock.close()
        self._thread.join(timeout=2)


def payload_json(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode()


@dataclass
class Sleeps:
    """Injected ``sleep``: records waits instead of sleeping."""

    waits: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)

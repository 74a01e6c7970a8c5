"""Fetch a catalog entry's live source: build the URL(s), GET them, hand back verbatim payloads.

Each payload is parsed by the same parser as the landing file of that format (``FORMATS``), so
live and landing rows go through one code path. Base URLs come from environment variables so
tests, mirrors and proxies can point them elsewhere:

=================  ====================================  ==========================
source             URL (base from env var)               format
=================  ====================================  ==========================
yahoo_chart        YAHOO_BASE_URL/v8/finance/chart/SYM   yahoo_chart_json
fred               FRED_BASE_URL/graph/fredgraph.csv     fred_csv
binance_klines     BINANCE_BASE_URL/api/v3/klines        binance_klines_json (pages)
defillama_hacks    DEFILLAMA_BASE_URL/hacks              defillama_hacks_json
farside            FARSIDE_BASE_URL/<product>-etf-...    farside_html
=================  ====================================  ==========================
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote, urlencode

from ingest.catalog import LIVE_SOURCES, LiveSpec
from ingest.config import env_value
from ingest.connectors.http import HttpClient, HttpResponse
from ingest.errors import CatalogError, FetchError, FileFormatError

log = logging.getLogger(__name__)

BASE_URL_ENV: dict[str, tuple[str, str]] = {
    "yahoo_chart": ("YAHOO_BASE_URL", "https://query1.finance.yahoo.com"),
    "fred": ("FRED_BASE_URL", "https://fred.stlouisfed.org"),
    "binance_klines": ("BINANCE_BASE_URL", "https://api.binance.com"),
    "defillama_hacks": ("DEFILLAMA_BASE_URL", "https://api.llama.fi"),
    "farside": ("FARSIDE_BASE_URL", "https://farside.co.uk"),
}
# The FORMATS parser of each live source's payloads: the one place the mapping is written.
LIVE_FORMATS: dict[str, str] = {
    "yahoo_chart": "yahoo_chart_json",
    "fred": "fred_csv",
    "binance_klines": "binance_klines_json",
    "defillama_hacks": "defillama_hacks_json",
    "farside": "farside_html",
}
BINANCE_LIMIT = 1000  # the API's maximum rows per request
BINANCE_MAX_PAGES = 1000  # guard against a server that ignores startTime
FARSIDE_PATHS = {
    "btc": "/bitcoin-etf-flow-all-data/",
    "eth": "/ethereum-etf-flow-all-data/",
}


class LiveSpecError(CatalogError, ValueError):
    """A live spec names an unknown source or lacks a parameter its source needs."""


@dataclass(frozen=True)
class LivePayload:
    origin: str  # full URL requested: recorded as the rows' origin
    content: bytes  # verbatim response body
    format: str  # a FORMATS name
    fetched_at: datetime  # UTC


def base_url(source: str) -> str:
    env, default = BASE_URL_ENV[source]
    return (env_value(env) or default).rstrip("/")


def _url(base: str, path: str, query: dict[str, Any] | None = None) -> str:
    if not query:
        return f"{base}{path}"
    # quote (not quote_plus) and keep ',' readable: events=div,split as Yahoo documents it.
    return f"{base}{path}?{urlencode(query, quote_via=quote, safe=',')}"


def _require(spec: LiveSpec, name: str) -> str:
    value = spec.params.get(name)
    if value is None or str(value).strip() == "":
        raise LiveSpecError(
            f"live source {spec.source!r} needs parameter {name!r} (got {sorted(spec.params)})"
        )
    return str(value).strip()


def _start_datetime(spec: LiveSpec) -> datetime | None:
    """``start`` as a UTC midnight; YAML gives a date, users may write a string."""
    value = spec.params.get("start")
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    try:
        day = date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise LiveSpecError(
            f"live source {spec.source!r}: 'start' must be a date YYYY-MM-DD, not {value!r}"
        ) from exc
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _payload(url: str, response: HttpResponse, fmt: str) -> LivePayload:
    return LivePayload(
        origin=url, content=response.content, format=fmt, fetched_at=response.fetched_at
    )


def _yahoo_chart(spec: LiveSpec, client: HttpClient, now: datetime) -> list[LivePayload]:
    symbol = _require(spec, "symbol")
    start = _start_datetime(spec)
    query: dict[str, Any] = {"interval": "1d"}
    if start is not None:
        query["period1"] = int(start.timestamp())
        query["period2"] = int(now.timestamp())
    else:
        # No start: a named range (Yahoo's 'max' = the whole history).
        query["range"] = str(spec.params.get("range") or "max")
    query["events"] = "div,split"
    query["includeAdjustedClose"] = "true"
    # Symbols such as ^GSPC or GC=F must be escaped inside the path.
    url = _url(base_url("yahoo_chart"), f"/v8/finance/chart/{quote(symbol, safe='')}", query)
    return [_payload(url, client.get(url), LIVE_FORMATS["yahoo_chart"])]


def _fred(spec: LiveSpec, client: HttpClient, now: datetime) -> list[LivePayload]:
    series = _require(spec, "series")
    url = _url(base_url("fred"), "/graph/fredgraph.csv", {"id": series})
    return [_payload(url, client.get(url), LIVE_FORMATS["fred"])]


def _binance_klines(spec: LiveSpec, client: HttpClient, now: datetime) -> list[LivePayload]:
    symbol = _require(spec, "symbol").upper()
    start = _start_datetime(spec)
    start_ms = int(start.timestamp() * 1000) if start is not None else 0  # 0 = first listed day
    base = base_url("binance_klines")
    payloads: list[LivePayload] = []
    for page in range(1, BINANCE_MAX_PAGES + 1):
        query = {"symbol": symbol, "interval": "1d", "startTime": start_ms, "limit": BINANCE_LIMIT}
        url = _url(base, "/api/v3/klines", query)
        response = client.get(url)
        rows = _kline_rows(url, response.content)
        if rows or not payloads:  # keep an empty first page: the fetch happened, with no rows
            payloads.append(_payload(url, response, LIVE_FORMATS["binance_klines"]))
        log.info("binance %s page %d: %d bars from startTime=%d", symbol, page, len(rows), start_ms)
        if len(rows) < BINANCE_LIMIT:
            return payloads
        next_start = int(rows[-1][0]) + 1  # open time of the last bar + 1 ms
        if next_start <= start_ms:
            raise FetchError(f"GET {url}: startTime did not advance ({start_ms}); stopping")
        start_ms = next_start
    raise FetchError(f"binance {symbol}: more than {BINANCE_MAX_PAGES} pages; stopping")


def _kline_rows(url: str, content: bytes) -> list[list[Any]]:
    try:
        rows = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise FileFormatError(url, f"not valid klines JSON ({exc})", line=line) from exc
    if not isinstance(rows, list) or any(not isinstance(r, list) or not r for r in rows):
        raise FileFormatError(url, "expected a JSON array of kline arrays")
    return rows


def _defillama_hacks(spec: LiveSpec, client: HttpClient, now: datetime) -> list[LivePayload]:
    url = _url(base_url("defillama_hacks"), "/hacks")
    return [_payload(url, client.get(url), LIVE_FORMATS["defillama_hacks"])]


def _farside(spec: LiveSpec, client: HttpClient, now: datetime) -> list[LivePayload]:
    product = _require(spec, "product").lower()
    if product not in FARSIDE_PATHS:
        raise LiveSpecError(
            f"live source 'farside': 'product' must be one of {sorted(FARSIDE_PATHS)}, "
            f"not {product!r}"
        )
    url = _url(base_url("farside"), FARSIDE_PATHS[product])
    return [_payload(url, client.get(url), LIVE_FORMATS["farside"])]


_FETCHERS: dict[str, Callable[[LiveSpec, HttpClient, datetime], list[LivePayload]]] = {
    "yahoo_chart": _yahoo_chart,
    "fred": _fred,
    "binance_klines": _binance_klines,
    "defillama_hacks": _defillama_hacks,
    "farside": _farside,
}
if (
    set(_FETCHERS) != LIVE_SOURCES or set(LIVE_FORMATS) != LIVE_SOURCES
):  # a source added to the catalog needs a fetcher here
    raise RuntimeError(f"live fetchers {sorted(_FETCHERS)} != catalog {sorted(LIVE_SOURCES)}")


def fetch_live(
    spec: LiveSpec, client: HttpClient, *, now: datetime | None = None
) -> list[LivePayload]:
    """Fetch every payload of ``spec`` (one, or one per page for Binance) in order.

    ``now`` (UTC) bounds open-ended ranges; injectable so URLs are reproducible in tests.
    Raises LiveSpecError for a bad spec, FetchError when the source cannot be fetched.
    """
    fetcher = _FETCHERS.get(spec.source)
    if fetcher is None:
        raise LiveSpecError(f"unknown live source {spec.source!r}; known: {sorted(_FETCHERS)}")
    return fetcher(spec, client, now or datetime.now(UTC))


__all__ = ["BASE_URL_ENV", "LivePayload", "LiveSpecError", "base_url", "fetch_live"]

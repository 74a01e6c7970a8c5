"""Transports that bring payloads in: the retrying HTTP client and the live-source fetchers."""

from ingest.connectors.http import HttpClient, HttpResponse
from ingest.connectors.live import LivePayload, LiveSpecError, fetch_live

__all__ = ["HttpClient", "HttpResponse", "LivePayload", "LiveSpecError", "fetch_live"]

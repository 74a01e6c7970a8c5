"""One HTTP client for every live source: timeouts, retries with backoff, an identifying UA.

Retried: 408, 429 and every 5xx status, timeouts, connection errors and truncated bodies
(httpx raises ``RemoteProtocolError`` when the peer closes before ``Content-Length`` bytes
arrived, ``ReadError`` when the connection is reset mid-body). A ``Retry-After`` header
(delta-seconds or HTTP-date) replaces the computed backoff, capped at ``max_retry_after``.
Any other 4xx fails at once: asking again will not change the answer.
"""

from __future__ import annotations

import logging
import random
import time
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import cache
from importlib import metadata
from types import TracebackType
from typing import Any

import httpx

from ingest.config import REPO_ROOT, env_value
from ingest.errors import FetchError

log = logging.getLogger(__name__)

PROJECT_NAME = "event-study-warehouse"
DEFAULT_CONTACT = "https://github.com/your-org/event-study-warehouse"
USER_AGENT_ENV = "WAREHOUSE_USER_AGENT"
RETRYABLE_STATUSES = frozenset({408, 429}) | frozenset(range(500, 600))
# Transport failures worth another attempt. UnsupportedProtocol / LocalProtocolError are bugs
# on our side and are not retried.
RETRYABLE_EXCEPTIONS: tuple[type[Exception], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,  # ConnectError, ReadError (reset mid-body), WriteError, CloseError
    httpx.RemoteProtocolError,  # truncated body, garbled response
    httpx.ProxyError,
)


@dataclass(frozen=True)
class HttpResponse:
    url: str  # final URL (after redirects)
    status: int
    headers: dict[str, str]  # lower-cased names
    content: bytes
    fetched_at: datetime  # UTC, when the body was complete
    attempts: int = 1

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


class TruncatedBodyError(httpx.RemoteProtocolError):
    """Fewer body bytes than Content-Length, caught by our own check (httpx normally raises)."""


@cache
def project_version() -> str:
    """Version from installed metadata, else pyproject.toml (the project is not installed)."""
    try:
        return metadata.version(PROJECT_NAME)
    except metadata.PackageNotFoundError:
        pass
    try:
        with (REPO_ROOT / "pyproject.toml").open("rb") as fh:
            return str(tomllib.load(fh)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "0.0.0"


def default_user_agent() -> str:
    """``event-study-warehouse/<version> (+<contact>)``; WAREHOUSE_USER_AGENT sets the contact.

    APIs ask clients to identify themselves so an operator can reach a misbehaving client
    instead of blocking it: put your fork's URL or an e-mail address in WAREHOUSE_USER_AGENT.
    """
    contact = env_value(USER_AGENT_ENV) or DEFAULT_CONTACT
    return f"{PROJECT_NAME}/{project_version()} (+{contact})"


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if unusable."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


def _describe(exc: BaseException) -> str:
    message = str(exc).strip()
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


class HttpClient:
    """GET with retries. Use as a context manager (or call ``close``) to release connections.

    ``sleep``, ``jitter`` (a 0..1 random source) and ``clock`` are injectable so tests run
    without waiting and can assert the exact waits.
    """

    def __init__(
        self,
        *,
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        max_attempts: int = 5,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        max_retry_after: float = 120.0,
        user_agent: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        transport: httpx.BaseTransport | None = None,
        trust_env: bool = True,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.max_retry_after = max_retry_after
        self.user_agent = user_agent or default_user_agent()
        self._sleep = sleep
        self._jitter = jitter
        self._clock = clock
        self._client = httpx.Client(
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            headers={"User-Agent": self.user_agent},
            follow_redirects=True,
            transport=transport,
            trust_env=trust_env,  # HTTP(S)_PROXY / NO_PROXY from the environment
        )

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def backoff(self, attempt: int) -> float:
        """Wait after failed attempt ``attempt`` (1-based): exponential with 'equal jitter'.

        Half the exponential step is fixed and half random, so clients that failed together
        spread out but never retry immediately.
        """
        step = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        return step / 2 + self._jitter() * step / 2

    def get(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        """GET ``url``; retry transient failures; raise FetchError when it cannot succeed."""
        request = self._client.build_request("GET", url, params=params, headers=headers)
        full_url = str(request.url)
        last_error = "no attempt made"
        status: int | None = None
        for attempt in range(1, self.max_attempts + 1):
            retry_after: float | None = None
            try:
                response = self._client.send(request)
                self._check_complete(response)
            except RETRYABLE_EXCEPTIONS as exc:
                last_error, status = _describe(exc), None
            except httpx.HTTPError as exc:  # not transient (bad URL, unsupported scheme)
                raise self._error(full_url, _describe(exc), None, attempt) from exc
            else:
                status = response.status_code
                if response.is_success:
                    if attempt > 1:
                        log.info(
                            "GET %s: ok (HTTP %d) after %d attempts", full_url, status, attempt
                        )
                    return HttpResponse(
                        url=str(response.url),
                        status=status,
                        headers={k.lower(): v for k, v in response.headers.items()},
                        content=response.content,
                        fetched_at=self._clock(),
                        attempts=attempt,
                    )
                last_error = self._status_text(response)
                if status not in RETRYABLE_STATUSES:
                    raise self._error(full_url, last_error, status, attempt)
                retry_after = parse_retry_after(response.headers.get("retry-after"), self._clock())
            if attempt == self.max_attempts:
                break
            if retry_after is not None:
                wait = min(retry_after, self.max_retry_after)
                why = f"Retry-After {retry_after:g}s"
            else:
                wait = self.backoff(attempt)
                why = "backoff"
            log.warning(
                "GET %s: %s; retry %d/%d in %.1fs (%s)",
                full_url, last_error, attempt, self.max_attempts - 1, wait, why,
            )  # fmt: skip
            self._sleep(wait)
        raise self._error(full_url, last_error, status, self.max_attempts)

    @staticmethod
    def _check_complete(response: httpx.Response) -> None:
        """Belt and braces: httpx raises on short bodies, but verify when the length is known."""
        declared = response.headers.get("content-length")
        if declared is None or response.headers.get("content-encoding"):
            return  # compressed: Content-Length counts wire bytes, not decoded ones
        try:
            expected = int(declared)
        except ValueError:
            return
        if len(response.content) < expected:
            raise TruncatedBodyError(
                f"truncated body: received {len(response.content)} of {expected} bytes"
            )

    @staticmethod
    def _status_text(response: httpx.Response) -> str:
        text = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
        body = response.content[:200].decode("utf-8", errors="replace").strip()
        # APIs explain client errors in the body (Binance: {"code":-1121,"msg":"Invalid symbol."}).
        if body and 400 <= response.status_code < 500:
            text += f": {' '.join(body.split())}"
        return text

    @staticmethod
    def _error(url: str, last_error: str, status: int | None, attempts: int) -> FetchError:
        plural = "attempt" if attempts == 1 else "attempts"
        error = FetchError(f"GET {url} failed after {attempts} {plural}: {last_error}")
        # FetchError is a plain exception; attach the facts for callers and tests.
        error.url = url  # type: ignore[attr-defined]
        error.status = status  # type: ignore[attr-defined]
        error.attempts = attempts  # type: ignore[attr-defined]
        error.last_error = last_error  # type: ignore[attr-defined]
        return error


__all__ = [
    "HttpClient",
    "HttpResponse",
    "RETRYABLE_STATUSES",
    "default_user_agent",
    "parse_retry_after",
    "project_version",
]

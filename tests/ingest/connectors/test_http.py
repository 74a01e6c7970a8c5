"""HttpClient against local servers: retries, Retry-After, timeouts, truncation, fatal 4xx.

Bodies are real FRED CSV responses from the landing folder, served verbatim.
"""

from __future__ import annotations

import logging
import socket
import time
from datetime import UTC, datetime

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from ingest.connectors.http import (
    HttpClient,
    default_user_agent,
    parse_retry_after,
    project_version,
)
from ingest.errors import FetchError
from tests.ingest.connectors.support import RawReply, http_reply

DGS10 = "macro/fred_DGS10.csv"
PATH = "/graph/fredgraph.csv"


@pytest.fixture(scope="module")
def dgs10(read_landing) -> bytes:
    return read_landing(DGS10)


# ------------------------------------------------------------------ success and identity


def test_success_returns_bytes_headers_and_utc_time(httpserver: HTTPServer, make_client, dgs10):
    httpserver.expect_request(PATH, query_string={"id": "DGS10"}).respond_with_data(
        dgs10, content_type="text/csv"
    )
    before = datetime.now(UTC)
    response = make_client().get(httpserver.url_for(PATH), params={"id": "DGS10"})

    assert response.status == 200
    assert response.content == dgs10  # verbatim, byte for byte
    assert response.content.startswith(b"observation_date,DGS10\n")
    assert b"\n2025-01-27,4.53\n" in response.content
    assert response.headers["content-type"].startswith("text/csv")
    assert response.url == httpserver.url_for(PATH) + "?id=DGS10"
    assert response.fetched_at.tzinfo is not None and response.fetched_at >= before
    assert response.attempts == 1


def test_identifying_user_agent_arrives(httpserver: HTTPServer, make_client, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_USER_AGENT", "https://example.org/my-fork")
    httpserver.expect_request("/ua").respond_with_data("ok")
    make_client().get(httpserver.url_for("/ua"))

    request, _ = httpserver.log[0]
    expected = f"event-study-warehouse/{project_version()} (+https://example.org/my-fork)"
    assert request.headers["User-Agent"] == expected
    assert project_version() == "0.1.0"  # pyproject.toml


def test_default_user_agent_without_env(monkeypatch):
    monkeypatch.delenv("WAREHOUSE_USER_AGENT", raising=False)
    agent = default_user_agent()
    assert agent.startswith("event-study-warehouse/0.1.0 (+http")
    assert "python-httpx" not in agent


def test_redirect_is_followed(httpserver: HTTPServer, make_client):
    httpserver.expect_request("/old").respond_with_response(
        Response(status=301, headers={"Location": httpserver.url_for("/new")})
    )
    httpserver.expect_request("/new").respond_with_data("moved")
    response = make_client().get(httpserver.url_for("/old"))
    assert response.content == b"moved"
    assert response.url.endswith("/new")


# ------------------------------------------------------------------ retryable statuses


def test_429_honours_retry_after_seconds(httpserver: HTTPServer, make_client, sleeps, dgs10):
    httpserver.expect_ordered_request(PATH).respond_with_data(
        "rate limited", status=429, headers={"Retry-After": "2"}
    )
    httpserver.expect_ordered_request(PATH).respond_with_data(dgs10)

    response = make_client().get(httpserver.url_for(PATH))

    assert response.content == dgs10
    assert response.attempts == 2
    assert sleeps.waits == [pytest.approx(2.0)]  # the server's wait, not our backoff
    assert len(httpserver.log) == 2


def test_retry_after_http_date(httpserver: HTTPServer, make_client, sleeps):
    now = datetime(2025, 2, 21, 14, 16, 11, tzinfo=UTC)
    httpserver.expect_ordered_request("/d").respond_with_data(
        "busy", status=503, headers={"Retry-After": "Fri, 21 Feb 2025 14:16:16 GMT"}
    )
    httpserver.expect_ordered_request("/d").respond_with_data("ok")

    make_client(clock=lambda: now).get(httpserver.url_for("/d"))

    assert sleeps.waits == [pytest.approx(5.0)]


def test_retry_after_is_capped(httpserver: HTTPServer, make_client, sleeps):
    httpserver.expect_ordered_request("/c").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "3600"}
    )
    httpserver.expect_ordered_request("/c").respond_with_data("ok")

    make_client(max_retry_after=30.0).get(httpserver.url_for("/c"))

    assert sleeps.waits == [30.0]


def test_500_then_200_backs_off_and_logs(
    httpserver: HTTPServer, make_client, sleeps, dgs10, caplog
):
    httpserver.expect_ordered_request(PATH).respond_with_data("boom", status=500)
    httpserver.expect_ordered_request(PATH).respond_with_data(dgs10)

    with caplog.at_level(logging.WARNING, logger="ingest.connectors.http"):
        response = make_client(backoff_base=1.0).get(httpserver.url_for(PATH))

    assert response.content == dgs10
    assert response.attempts == 2
    assert sleeps.waits == [pytest.approx(0.75)]  # step 1s: 0.5 fixed + 0.5 * jitter(0.5)
    assert "HTTP 500" in caplog.text and "retry 1/3" in caplog.text
    assert httpserver.url_for(PATH) in caplog.text


def test_backoff_grows_exponentially_with_jitter_and_cap(httpserver: HTTPServer, make_client):
    for _ in range(4):
        httpserver.expect_ordered_request("/e").respond_with_data("unavailable", status=503)
    httpserver.expect_ordered_request("/e").respond_with_data("ok")
    waits: list[float] = []

    client = make_client(
        max_attempts=5, backoff_base=1.0, backoff_max=4.0, jitter=lambda: 1.0, sleep=waits.append
    )
    client.get(httpserver.url_for("/e"))

    assert waits == [1.0, 2.0, 4.0, 4.0]  # doubles, then the cap holds
    low = make_client(backoff_base=1.0, jitter=lambda: 0.0)
    assert [low.backoff(n) for n in (1, 2, 3)] == [0.5, 1.0, 2.0]  # never zero


# ------------------------------------------------------------------ fatal and exhausted


def test_404_fails_at_once_without_retry(httpserver: HTTPServer, make_client, sleeps):
    httpserver.expect_request(PATH).respond_with_data("Not Found", status=404)
    url = httpserver.url_for(PATH) + "?id=NOPE"

    with pytest.raises(FetchError) as info:
        make_client().get(url)

    assert len(httpserver.log) == 1
    assert sleeps.waits == []
    message = str(info.value)
    assert url in message and "HTTP 404" in message and "after 1 attempt" in message
    assert info.value.status == 404 and info.value.attempts == 1


def test_client_error_body_is_in_the_message(httpserver: HTTPServer, make_client):
    httpserver.expect_request("/api/v3/klines").respond_with_json(
        {"code": -1121, "msg": "Invalid symbol."}, status=400
    )
    with pytest.raises(FetchError, match=r"HTTP 400 .*Invalid symbol\."):
        make_client().get(httpserver.url_for("/api/v3/klines"), params={"symbol": "NOPE"})


def test_all_attempts_fail_raises_fetch_error(httpserver: HTTPServer, make_client, sleeps):
    httpserver.expect_request("/down").respond_with_data("maintenance", status=503)
    url = httpserver.url_for("/down")

    with pytest.raises(FetchError) as info:
        make_client(max_attempts=3).get(url)

    assert len(httpserver.log) == 3
    assert len(sleeps.waits) == 2  # no pointless wait after the last attempt
    message = str(info.value)
    assert url in message and "HTTP 503" in message and "3 attempts" in message
    assert info.value.url == url and info.value.status == 503 and info.value.attempts == 3


def test_connection_refused_is_retried_then_fails(make_client, sleeps):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/x"

    with pytest.raises(FetchError, match="ConnectError") as info:
        make_client(max_attempts=3).get(url)

    assert url in str(info.value) and info.value.status is None
    assert len(sleeps.waits) == 2


# ------------------------------------------------------------------ timeouts and truncation


def test_read_timeout_is_retried(scripted, make_client, sleeps, dgs10, caplog):
    server = scripted(
        [RawReply(http_reply(dgs10), delay=1.0), RawReply(http_reply(dgs10))]  # 1 s > 0.3 s
    )
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="ingest.connectors.http"):
        response = make_client(read_timeout=0.3).get(server.url(PATH))

    assert response.content == dgs10
    assert response.attempts == 2
    assert len(server.requests) == 2 and len(sleeps.waits) == 1
    assert "ReadTimeout" in caplog.text
    assert time.monotonic() - started < 1.0  # gave up on the slow reply, did not wait for it


def test_every_attempt_times_out(scripted, make_client):
    slow = RawReply(http_reply(b"late"), delay=1.0)
    server = scripted([slow, slow])
    with pytest.raises(FetchError, match="ReadTimeout") as info:
        make_client(read_timeout=0.2, max_attempts=2).get(server.url("/slow"))
    assert server.url("/slow") in str(info.value) and "2 attempts" in str(info.value)


def test_httpx_raises_on_a_body_shorter_than_content_length(scripted):
    """The fact the retry rule relies on: httpx 0.28 reports truncation as RemoteProtocolError."""
    server = scripted([RawReply(http_reply(b"observation_date,DG", content_length=500))])
    with httpx.Client(trust_env=False) as raw, pytest.raises(httpx.RemoteProtocolError) as info:
        raw.get(server.url("/t"))
    assert "received 19 bytes, expected 500" in str(info.value)


def test_truncated_body_is_retried(scripted, make_client, sleeps, dgs10, caplog):
    cut = dgs10[: len(dgs10) // 3]  # the connection drops a third of the way in
    server = scripted(
        [RawReply(http_reply(cut, content_length=len(dgs10))), RawReply(http_reply(dgs10))]
    )
    with caplog.at_level(logging.WARNING, logger="ingest.connectors.http"):
        response = make_client().get(server.url(PATH))

    assert response.content == dgs10  # the complete second copy, never the cut one
    assert response.attempts == 2 and len(sleeps.waits) == 1
    assert "RemoteProtocolError" in caplog.text


def test_always_truncated_fails(scripted, make_client, dgs10):
    cut = RawReply(http_reply(dgs10[:100], content_length=len(dgs10)))
    server = scripted([cut, cut, cut])
    with pytest.raises(FetchError, match="RemoteProtocolError") as info:
        make_client(max_attempts=3).get(server.url(PATH))
    assert info.value.attempts == 3 and server.url(PATH) in str(info.value)


def test_max_attempts_must_be_positive():
    with pytest.raises(ValueError):
        HttpClient(max_attempts=0)


# ------------------------------------------------------------------ Retry-After parsing


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("2", 2.0),
        (" 120 ", 120.0),
        ("Fri, 21 Feb 2025 14:16:21 GMT", 10.0),
        ("Fri, 21 Feb 2025 14:00:00 GMT", 0.0),  # in the past: retry now
        ("soon", None),
        ("-5", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(header, expected):
    now = datetime(2025, 2, 21, 14, 16, 11, tzinfo=UTC)
    assert parse_retry_after(header, now) == expected

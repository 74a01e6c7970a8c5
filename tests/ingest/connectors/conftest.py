"""Fixtures for connector tests: clients with an injected sleep, a raw scripted server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ingest.connectors.http import HttpClient
from tests.ingest.connectors.support import RawReply, ScriptedServer, Sleeps


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def make_client(sleeps: Sleeps) -> Iterator[Callable[..., HttpClient]]:
    clients: list[HttpClient] = []

    def _make(**kwargs: Any) -> HttpClient:
        kwargs.setdefault("sleep", sleeps)
        kwargs.setdefault("jitter", lambda: 0.5)
        kwargs.setdefault("connect_timeout", 2.0)
        kwargs.setdefault("read_timeout", 5.0)
        kwargs.setdefault("max_attempts", 4)
        kwargs.setdefault("trust_env", False)  # never route 127.0.0.1 through a proxy
        client = HttpClient(**kwargs)
        clients.append(client)
        return client

    yield _make
    for client in clients:
        client.close()


@pytest.fixture
def scripted() -> Iterator[Callable[[list[RawReply]], ScriptedServer]]:
    servers: list[ScriptedServer] = []

    def _start(replies: list[RawReply]) -> ScriptedServer:
        server = ScriptedServer(replies)
        servers.append(server)
        return server

    yield _start
    for server in servers:
        server.close()

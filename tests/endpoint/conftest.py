"""Fixtures: the published read copy of the test warehouse and a running endpoint over it."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from ingest.config import env_value
from tests.endpoint.support import RunningEndpoint, start_endpoint, stop_endpoint_process


@pytest.fixture(scope="session")
def published_copy(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The read copy the real publish step makes of the session's warehouse: plain tables in
    marts/staging/raw, COMMENTs from dbt, and meta.build_info.

    ENDPOINT_PUBLISHED_COPY may name an existing published copy (e.g. serving/warehouse.duckdb
    after `make run`) to skip building the warehouse when iterating on these tests.
    """
    given = env_value("ENDPOINT_PUBLISHED_COPY")
    if given:
        return Path(given)
    from publishing.publish import publish

    built_warehouse = request.getfixturevalue("built_warehouse")
    target = tmp_path_factory.mktemp("published")
    publication = publish(
        built_warehouse, target / "warehouse.duckdb", target / "exports", run_id="endpoint-tests"
    )
    return publication.serving_db


def copy_of(published: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "warehouse.duckdb"
    shutil.copyfile(published, target)
    return target


@pytest.fixture(scope="module")
def endpoint(published_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> RunningEndpoint:
    """A running endpoint over its own copy of the published warehouse."""
    folder = tmp_path_factory.mktemp("serving")
    running = start_endpoint(copy_of(published_copy, folder), folder)
    yield running
    stop_endpoint_process(running.process)


@pytest.fixture(scope="module")
def direct(endpoint: RunningEndpoint) -> duckdb.DuckDBPyConnection:
    """DuckDB itself, read-only on the very file the endpoint serves: the reference answers."""
    con = duckdb.connect(str(endpoint.serving_db), read_only=True)
    yield con
    con.close()

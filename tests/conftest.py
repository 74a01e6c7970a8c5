"""Shared fixtures: the real landing folder (../shared/raw, read in place) and temp warehouses."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.config import load_settings
from tests.processes import stop_group

LANDING_DIR = load_settings().landing_dir


@pytest.fixture(scope="session")
def landing_dir() -> Path:
    if not LANDING_DIR.is_dir():
        pytest.fail(f"landing folder {LANDING_DIR} not found: clone the repo beside ../shared")
    return LANDING_DIR


@pytest.fixture(scope="session")
def read_landing(landing_dir: Path):
    def _read(relative_path: str) -> bytes:
        return (landing_dir / relative_path).read_bytes()

    return _read


class UserBuild:
    """`make run` of a user's setup (tests.e2e_support.user_setup) in its own process, started
    once per session and waited for by the tests that read it."""

    TIMEOUT_SECONDS = 900

    def __init__(self, folder: Path, landing_dir: Path) -> None:
        from tests.e2e_support import start_make_run, user_setup

        landing, settings = user_setup(folder, landing_dir)
        self.warehouse = folder / "warehouse.duckdb"
        self.log = folder / "run.log"
        self.process = start_make_run(self.warehouse, landing, **settings)

    def finish(self) -> int | None:
        """Wait for the run to end: its exit code, or None (stopped) after TIMEOUT_SECONDS."""
        try:
            return self.process.wait(timeout=self.TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.stop()
            return None

    def wait(self) -> Path:
        code = self.finish()
        if code is None:
            pytest.fail(f"make run of the user's setup took over {self.TIMEOUT_SECONDS} s")
        if code != 0:
            output = self.log.read_text()[-4000:]
            pytest.fail(f"make run of the user's setup failed ({code}):\n{output}")
        return self.warehouse

    def stop(self) -> None:
        stop_group(self.process)


@pytest.fixture(scope="session")
def user_build(tmp_path_factory: pytest.TempPathFactory, landing_dir: Path) -> Iterator[UserBuild]:
    build = UserBuild(tmp_path_factory.mktemp("user_catalog"), landing_dir)
    yield build
    build.stop()


@pytest.fixture(scope="session")
def built_warehouse(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, landing_dir: Path
) -> Path:
    """The whole warehouse built once per test session by the real Dagster job (make run's job).

    Raw tables come from the real landing folder; every dbt model and test runs on them. When
    the session also reads the user's build, that build runs at the same time, in its own process
    (the two together take less than one after the other on two cores).
    """
    from tests.e2e_support import build_warehouse

    user_build = None
    if any("user_catalog_build" in item.fixturenames for item in request.session.items):
        user_build = request.getfixturevalue("user_build")
    target = tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"
    result = build_warehouse(target, landing_dir)
    if user_build is not None:
        # no test runs beside a build: timings of the tests after this one stay their own
        user_build.finish()
    if not result.success:
        pytest.fail(f"building the warehouse failed: {result.failures}")
    return target


@pytest.fixture(scope="session")
def user_catalog_build(user_build: UserBuild) -> Path:
    """The warehouse `make run` built from a user's setup: a subset catalog (spx, nvda, vix)
    over a copy of the real landing folder plus the user's own price file (``acme``, NVIDIA's
    closes as a date;close CSV with decimal commas), the user's own event and study
    (tests.e2e_support.USER_*). Every other dataset's file is in the landing folder but not in
    the catalog."""
    return user_build.wait()

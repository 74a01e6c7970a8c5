"""The event log of orchestration/dagster.yaml: Dagster's files, fewer opens and fsyncs.

An instance made from the repo's dagster.yaml (as `make dagster-home` copies it) runs small jobs;
Dagster's stock SqliteEventLogStorage then reads the same history from the same files, so the
UI, the daemon and any instance without this class see every run.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.storage.event_log import SqliteEventLogStorage

from ingest.config import REPO_ROOT
from orchestration.event_log_storage import OPEN_SHARDS, OpenSqliteEventLogStorage


@dg.asset
def btc_close() -> float:
    return 96_000.0


@dg.asset
def btc_return(btc_close: float) -> float:
    return btc_close / 95_000.0 - 1


@pytest.fixture()
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "orchestration" / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.get() as instance:
        yield instance


def test_repo_instance_uses_the_open_event_log(instance: dg.DagsterInstance) -> None:
    assert isinstance(instance.event_log_storage, OpenSqliteEventLogStorage)
    assert (
        Path(instance.event_log_storage._base_dir)
        == Path(instance.root_directory) / "history" / "runs"
    )


def test_history_reads_back_with_dagsters_own_storage(instance: dg.DagsterInstance) -> None:
    run_ids = []
    for _ in range(OPEN_SHARDS + 3):
        result = dg.materialize([btc_close, btc_return], instance=instance)
        assert result.success
        run_ids.append(result.run_id)

    storage = instance.event_log_storage
    assert len(storage._engines) <= OPEN_SHARDS  # older runs' files were closed
    with storage.run_connection(run_ids[-1]) as conn:
        # 1 = NORMAL: commits in WAL mode do not wait for the disk.
        assert conn.exec_driver_sql("pragma synchronous").scalar() == 1
        assert conn.exec_driver_sql("pragma journal_mode").scalar() == "wal"

    stock = SqliteEventLogStorage(storage._base_dir)
    for run_id in run_ids:
        kinds = [e.dagster_event_type for e in stock.get_logs_for_run(run_id) if e.is_dagster_event]
        assert kinds.count(dg.DagsterEventType.ASSET_MATERIALIZATION) == 2
        assert kinds[-1] == dg.DagsterEventType.RUN_SUCCESS
    latest = stock.get_latest_materialization_events([dg.AssetKey("btc_return")])
    assert latest[dg.AssetKey("btc_return")].run_id == run_ids[-1]
    stock.dispose()

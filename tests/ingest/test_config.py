"""ingest/config.py: the declared variables, their defaults, overrides and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

import ingest.config
from ingest.config import (
    DECLARED,
    REPO_ROOT,
    VARIABLES,
    SettingsError,
    env_value,
    load_settings,
)
from ingest.recipe import full_rebuild_requested
from ingest.warehouse import wait_seconds_setting


def test_defaults_without_any_variable():
    settings = load_settings({})
    assert settings.warehouse_db == REPO_ROOT / "warehouse.duckdb"
    assert settings.landing_dir == REPO_ROOT.parent / "shared" / "raw"
    assert settings.series_file == REPO_ROOT / "catalog" / "series.yml"
    assert settings.events_file == REPO_ROOT / "config" / "events.csv"
    assert settings.studies_file == REPO_ROOT / "config" / "studies.yml"
    assert settings.serving_db == REPO_ROOT / "serving" / "warehouse.duckdb"
    assert settings.report_file == REPO_ROOT / "reports" / "warehouse_report.html"
    assert settings.docs_dir == REPO_ROOT / "reports" / "dbt-docs"
    assert settings.ingest_mode == "landing" and not settings.is_live
    assert settings.engine == "duckdb"
    assert settings.full is False
    assert settings.writer_wait_seconds == 600.0
    assert settings.dbt_target == ""


def test_overrides_relative_paths_from_the_repository_root(tmp_path: Path):
    settings = load_settings(
        {
            "WAREHOUSE_DB": "elsewhere/w.duckdb",
            "LANDING_DIR": str(tmp_path),
            "INGEST_MODE": " LIVE ",
            "WAREHOUSE_ENGINE": "Spark",
            "FULL": "yes",
            "WRITER_WAIT_SECONDS": "2.5",
            "REPORT_FILE": str(tmp_path / "r.html"),
        }
    )
    assert settings.warehouse_db == REPO_ROOT / "elsewhere" / "w.duckdb"
    assert settings.landing_dir == tmp_path
    assert settings.is_live and settings.engine == "spark"
    assert settings.full is True and settings.writer_wait_seconds == 2.5
    assert settings.report_file == tmp_path / "r.html"


def test_empty_means_the_default():
    assert load_settings({"INGEST_MODE": "", "WAREHOUSE_DB": "", "FULL": ""}) == load_settings({})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("INGEST_MODE", "offline"),
        ("WAREHOUSE_ENGINE", "postgres"),
        ("FULL", "ture"),
        ("WRITER_WAIT_SECONDS", "ten"),
        ("WRITER_WAIT_SECONDS", "-1"),
        # The endpoint's, read with the same readers.
        ("SERVE_PORT", "5433.5"),
        ("SERVE_PORT", "-1"),
        ("SERVE_THREADS", "0"),
        ("SERVE_STATEMENT_TIMEOUT", "soon"),
        ("SERVE_MEMORY_LIMIT", "lots"),
    ],
)
def test_a_bad_value_names_the_variable(name: str, value: str):
    from endpoint.settings import load_endpoint_settings

    load = load_endpoint_settings if name.startswith("SERVE_") else load_settings
    with pytest.raises(SettingsError, match=name) as error:
        load({name: value})
    assert repr(value) in str(error.value)


@pytest.fixture
def alias_not_warned_yet(monkeypatch: pytest.MonkeyPatch) -> None:
    """The deprecation warning is given once per process: forget that it was."""
    monkeypatch.setattr(ingest.config, "_deprecation_warned", set())


def test_series_file_names_the_catalog(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    catalog = tmp_path / "mine.yml"
    assert load_settings({"SERIES_FILE": str(catalog)}).series_file == catalog
    assert load_settings({"SERIES_FILE": "mine.yml"}).series_file == REPO_ROOT / "mine.yml"
    assert "deprecated" not in caplog.text


def test_assets_file_alone_is_used_with_one_deprecation_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, alias_not_warned_yet: None
):
    catalog = tmp_path / "old.yml"
    with caplog.at_level("WARNING", logger="ingest.config"):
        assert load_settings({"ASSETS_FILE": str(catalog)}).series_file == catalog
        assert load_settings({"ASSETS_FILE": str(catalog)}).series_file == catalog
    warnings = [r for r in caplog.records if "deprecated" in r.getMessage()]
    assert len(warnings) == 1, "warned once, not on every read"
    assert "ASSETS_FILE" in warnings[0].getMessage()
    assert "SERIES_FILE" in warnings[0].getMessage()
    assert warnings[0].levelname == "WARNING"


def test_assets_file_naming_the_same_catalog_is_accepted(alias_not_warned_yet: None):
    """The same file, written relative in one and absolute in the other, is no conflict."""
    settings = load_settings(
        {"SERIES_FILE": "catalog/series.yml", "ASSETS_FILE": str(REPO_ROOT / "catalog/series.yml")}
    )
    assert settings.series_file == REPO_ROOT / "catalog" / "series.yml"


def test_series_file_and_assets_file_naming_different_catalogs_is_an_error(tmp_path: Path):
    env = {"SERIES_FILE": str(tmp_path / "new.yml"), "ASSETS_FILE": str(tmp_path / "old.yml")}
    with pytest.raises(SettingsError, match="SERIES_FILE") as error:
        load_settings(env)
    assert "ASSETS_FILE" in str(error.value)
    assert str(tmp_path / "new.yml") in str(error.value)
    assert str(tmp_path / "old.yml") in str(error.value)


def test_readers_use_the_process_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FULL", "1")
    monkeypatch.setenv("WRITER_WAIT_SECONDS", "7")
    assert full_rebuild_requested() is True
    assert wait_seconds_setting() == 7.0
    monkeypatch.setenv("WRITER_WAIT_SECONDS", "soon")
    with pytest.raises(SettingsError, match="WRITER_WAIT_SECONDS"):
        wait_seconds_setting()


def test_only_declared_variables_can_be_read():
    with pytest.raises(KeyError, match="NOT_A_SETTING"):
        env_value("NOT_" + "A_SETTING", {})  # built: the drift scan must not see it


def test_each_variable_declared_once_with_a_default_and_a_meaning():
    assert len(DECLARED) == len(VARIABLES)
    for variable in VARIABLES:
        assert variable.default and variable.meaning, variable.name
        assert variable.used_by in {"warehouse", "dbt", "live", "endpoint", "bi", "tests"}


def test_dbt_gets_resolved_paths(tmp_path: Path):
    env = load_settings({"WAREHOUSE_DB": "w.duckdb", "LAKE_DIR": str(tmp_path)}).dbt_env()
    assert env["WAREHOUSE_DB"] == str(REPO_ROOT / "w.duckdb")
    assert env["LAKE_DIR"] == str(tmp_path) and env["WAREHOUSE_ENGINE"] == "duckdb"
    assert "DBT_TARGET" not in env  # unset: profiles.yml falls back to WAREHOUSE_ENGINE
    assert load_settings({"DBT_TARGET": "spark_thrift"}).dbt_env()["DBT_TARGET"] == "spark_thrift"


def test_the_endpoint_reads_whole_numbers():
    from endpoint.settings import load_endpoint_settings

    settings = load_endpoint_settings({"SERVE_PORT": " 6543 ", "SERVE_THREADS": "2"})
    assert (settings.port, settings.threads) == (6543, 2)

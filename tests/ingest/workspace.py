"""A private landing folder (copies of real files), catalog, archive and warehouse for one test."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from ingest.catalog import Catalog, load_catalog
from ingest.config import Settings, load_settings


def make_workspace(
    tmp_path: Path,
    real_landing: Path,
    monkeypatch: pytest.MonkeyPatch,
    files: list[str],
    catalog_yaml: str,
) -> Settings:
    """Copy ``files`` of the real landing folder, write the catalog, point every setting here."""
    landing = tmp_path / "landing"
    for relative in files:
        (landing / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(real_landing / relative, landing / relative)
    landing.mkdir(exist_ok=True)
    write_catalog(tmp_path, catalog_yaml)
    monkeypatch.setenv("LANDING_DIR", str(landing))
    monkeypatch.setenv("WAREHOUSE_DB", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("ARCHIVE_DIR", str(tmp_path / "archive"))
    monkeypatch.setenv("SERIES_FILE", str(tmp_path / "series.yml"))
    monkeypatch.setenv("INGEST_MODE", "landing")
    monkeypatch.delenv("ALLOW_SHRINK", raising=False)
    return load_settings()


def write_catalog(tmp_path: Path, catalog_yaml: str) -> None:
    (tmp_path / "series.yml").write_text(catalog_yaml)


def catalog_of(settings: Settings) -> Catalog:
    return load_catalog(settings.series_file, settings.landing_dir)


def query(settings: Settings, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse_db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def scalar(settings: Settings, sql: str, params: list | None = None):
    rows = query(settings, sql, params)
    return rows[0][0] if rows else None

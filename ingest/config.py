"""Environment-driven settings shared by ingestion, dbt and Dagster.

Every path is relative to the repository root unless an environment variable overrides it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _path_from_env(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    if not value:
        return default
    path = Path(value).expanduser()
    return path if path.is_absolute() else (REPO_ROOT / path)


@dataclass(frozen=True)
class Settings:
    warehouse_db: Path
    landing_dir: Path
    assets_file: Path
    archive_dir: Path
    ingest_mode: str  # "landing" (offline, default) or "live"
    serving_db: Path  # the read copy published for readers after every green build
    export_dir: Path  # Parquet exports of the published tables, one folder per schema
    # WAREHOUSE_ENGINE: "duckdb" (default: dbt builds inside warehouse_db) or "spark" (raw tables
    # exported as Parquet to lake_dir, dbt builds on Spark into spark_warehouse_dir).
    engine: str = "duckdb"
    lake_dir: Path = REPO_ROOT / "lake"
    spark_warehouse_dir: Path = REPO_ROOT / "spark-warehouse"

    @property
    def is_live(self) -> bool:
        return self.ingest_mode == "live"


ENGINES = ("duckdb", "spark")


def engine_setting() -> str:
    """WAREHOUSE_ENGINE: the engine dbt builds the models on (duckdb unless set)."""
    engine = os.environ.get("WAREHOUSE_ENGINE", "duckdb").strip().lower() or "duckdb"
    if engine not in ENGINES:
        raise ValueError(f"WAREHOUSE_ENGINE must be one of {ENGINES}, not {engine!r}")
    return engine


def load_settings() -> Settings:
    mode = os.environ.get("INGEST_MODE", "landing").strip().lower() or "landing"
    if mode not in {"landing", "live"}:
        raise ValueError(f"INGEST_MODE must be 'landing' or 'live', not {mode!r}")
    return Settings(
        warehouse_db=_path_from_env("WAREHOUSE_DB", REPO_ROOT / "warehouse.duckdb"),
        landing_dir=_path_from_env("LANDING_DIR", REPO_ROOT.parent / "shared" / "raw"),
        assets_file=_path_from_env("ASSETS_FILE", REPO_ROOT / "catalog" / "assets.yml"),
        archive_dir=_path_from_env("ARCHIVE_DIR", REPO_ROOT / "data" / "archive"),
        ingest_mode=mode,
        serving_db=_path_from_env("SERVING_DB", REPO_ROOT / "serving" / "warehouse.duckdb"),
        export_dir=_path_from_env("EXPORT_DIR", REPO_ROOT / "exports"),
        engine=engine_setting(),
        lake_dir=_path_from_env("LAKE_DIR", REPO_ROOT / "lake"),
        spark_warehouse_dir=_path_from_env("SPARK_WAREHOUSE_DIR", REPO_ROOT / "spark-warehouse"),
    )

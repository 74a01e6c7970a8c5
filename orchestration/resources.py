"""The warehouse's settings as a Dagster resource, so assets get them from Dagster (and the UI
shows the values a code location runs with) instead of reading the environment themselves."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import dagster as dg
from dagster._utils.env import environ
from dagster_dbt import DbtCliResource
from dagster_dbt.core.dbt_cli_invocation import DbtCliInvocation

from ingest.config import Settings, load_settings


class WarehouseSettings(dg.ConfigurableResource):
    """:class:`ingest.config.Settings` field by field: paths as strings, already resolved."""

    warehouse_db: str
    landing_dir: str
    series_file: str
    archive_dir: str
    ingest_mode: str
    serving_db: str
    export_dir: str
    engine: str
    lake_dir: str
    spark_warehouse_dir: str
    events_file: str
    studies_file: str
    report_file: str
    docs_dir: str
    full: bool
    writer_wait_seconds: float
    dbt_target: str

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> WarehouseSettings:
        """The resource for ``settings`` (default: load_settings(), this process's environment)."""
        settings = settings or load_settings()
        values = {f.name: getattr(settings, f.name) for f in fields(Settings)}
        return cls(**{k: str(v) if isinstance(v, Path) else v for k, v in values.items()})

    @property
    def settings(self) -> Settings:
        # Settings is declared with `from __future__ import annotations`: types are strings.
        return Settings(
            **{
                f.name: Path(getattr(self, f.name)) if f.type == "Path" else getattr(self, f.name)
                for f in fields(Settings)
            }
        )


class WarehouseDbtCliResource(DbtCliResource):
    """dagster-dbt's resource without the dbt adapter it builds in Dagster's own process before
    every invocation (dbt's imports and the project's profile: 1.7 s of each build). The adapter
    serves only ``fetch_row_counts`` and ``fetch_column_metadata``, which this project does not
    call; dbt itself runs in its own process either way. (dagster-dbt does the same with
    ``None`` when building the adapter fails; dagster-dbt is pinned in uv.lock.)"""

    def _initialize_dbt_core_adapter(self, args):  # type: ignore[no-untyped-def,override]
        return None


def dbt_cli(dbt: DbtCliResource, settings: Settings, args: list[str], **kwargs) -> DbtCliInvocation:
    """``dbt.cli(args, **kwargs)`` with the settings' resolved paths in dbt's environment.

    dagster-dbt starts dbt (and reads profiles.yml in this process for its adapter) with a copy
    of os.environ and has no env argument; its maintainers' way is a scoped ``environ`` around
    the call (dagster-io/dagster#29656), restored as soon as the dbt process has started.
    """
    with environ(settings.dbt_env()):
        return dbt.cli(args, **kwargs)

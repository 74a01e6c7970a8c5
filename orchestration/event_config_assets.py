"""Event catalogue and study definitions as Dagster assets (raw/events, raw/studies, ...).

One multi-asset reads EVENTS_FILE and STUDIES_FILE through ``ingest.event_config``, validates
them (a bad file fails the asset with file, line and key) and replaces the raw tables that the
dbt sources of the event-study models map onto.
"""

from collections.abc import Mapping

import dagster as dg

from ingest.config import Settings
from ingest.event_config import load_event_config
from orchestration.ingest_assets import GROUP, POOL
from orchestration.resources import WarehouseSettings

TABLES = {
    "events": "raw.events: the curated event catalogue (EVENTS_FILE), instants in UTC.",
    "studies": "raw.studies: one row per event study (STUDIES_FILE).",
    "study_event_windows": "raw.study_event_windows: the event windows of each study.",
    "study_selectors": "raw.study_selectors: event ids and event selectors of each study.",
    "study_assets": "raw.study_assets: asset ids, asset classes or 'event' of each study.",
}


def build_event_config_assets() -> list[dg.AssetsDefinition]:
    @dg.multi_asset(
        specs=[
            dg.AssetSpec(
                ["raw", table], group_name=GROUP, kinds={"python", "duckdb"}, description=text
            )
            for table, text in TABLES.items()
        ],
        pool=POOL,
        name="event_config",
    )
    def event_config(warehouse: WarehouseSettings):
        settings = warehouse.settings
        counts = load_event_config(
            settings.warehouse_db, settings.events_file, settings.studies_file
        )
        for table, meta in loaded_table_metadata(counts, settings).items():
            yield dg.MaterializeResult(asset_key=["raw", table], metadata=meta)

    return [event_config]


def loaded_table_metadata(counts: Mapping[str, int], settings: Settings) -> dict[str, dict]:
    """Each raw event table's metadata after a load: its rows, and the file it came from (the
    event_config asset's and `make study`'s, orchestration/study_dagster.py)."""
    files = {"events": settings.events_file, "studies": settings.studies_file}
    return {
        table: {"rows": counts[table], **({"file": str(files[table])} if table in files else {})}
        for table in TABLES
    }

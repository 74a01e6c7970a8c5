"""The inputs fingerprint of a build (publishing.build_state.inputs_fingerprint) for these
settings: what `make run` records with each dbt build and compares before starting the job, and
what `make study` records when only the event configs changed since."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ingest.catalog import Catalog, load_catalog
from ingest.config import REPO_ROOT, Settings
from ingest.errors import IngestError
from publishing.build_state import inputs_fingerprint


def input_files(settings: Settings, catalog: Catalog) -> list[Path]:
    """The catalog and its landing files (the event configs are fingerprinted apart)."""
    return [settings.series_file] + [
        settings.landing_dir / spec.path for entry in catalog.entries for spec in entry.landing
    ]


def run_inputs(settings: Settings) -> str | None:
    """The fingerprint of an offline build's inputs; None when there is none to compare (live
    mode, FULL=1, no landing folder, a catalog that does not load: the job then decides)."""
    if settings.is_live or settings.full or not settings.landing_dir.is_dir():
        return None
    try:
        catalog = load_catalog(settings.series_file, settings.landing_dir)
    except IngestError:
        return None  # the job reports it
    return inputs_fingerprint(
        REPO_ROOT,
        input_files(settings, catalog),
        datetime.now(UTC).year,
        [settings.events_file, settings.studies_file],
    )

"""The recipe of a load: what, besides the payload's bytes, decides the rows it produces.

A source is reloaded only when its payload's SHA-256 or its recipe changed since its last
successful load (or on a forced full build, ``FULL=1``). The recipe hashes the code that turns
bytes into rows (parsers, row rules, plausibility rules, dataset schemas) and the catalog
entry's own settings for the source, so an edited parser or option reloads exactly as a full
rebuild would.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from ingest.catalog import SeriesEntry
from ingest.config import load_settings

INGEST_DIR = Path(__file__).resolve().parent
# The code whose output lands in raw.*: parsers, row rules, plausibility, schemas.
RECIPE_CODE = ("parsers/*.py", "loader.py", "plausibility.py", "datasets.py", "calendars.py")


@cache
def _code_sha256() -> str:
    digest = hashlib.sha256()
    for pattern in RECIPE_CODE:
        for path in sorted(INGEST_DIR.glob(pattern)):
            digest.update(path.relative_to(INGEST_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def recipe_sha256(entry: SeriesEntry, fmt: str, options: dict) -> str:
    spec = {
        "series": entry.id,
        "asset_class": entry.asset_class,
        "format": fmt,
        "options": options,
    }
    text = json.dumps(spec, sort_keys=True, default=str)
    return hashlib.sha256((_code_sha256() + text).encode()).hexdigest()


def full_rebuild_requested() -> bool:
    """FULL=1 (make run FULL=1) reloads every source whether or not it changed."""
    return load_settings().full

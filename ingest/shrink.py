"""Shrink protection: a load may not silently erase most of a source's history.

An empty or header-only export, or a truncated API answer that still parses, would otherwise
replace a source's rows with almost nothing. A load that would drop more than
``MAX_DROP_FRACTION`` of the rows a source has in the warehouse fails that source instead, and
its previous rows stay. ``ALLOW_SHRINK`` forces such a load when the source really shrank.
"""

from __future__ import annotations

from collections.abc import Mapping

from ingest.config import env_value
from ingest.errors import IngestError

# "Most": a load that would remove more than this fraction of a source's rows is refused.
MAX_DROP_FRACTION = 0.5
# '1' (or 'all', 'true', 'yes', '*') forces every source; else a comma-separated list of source
# ids ('ibit:adjclose_IBIT') or series ids ('ibit', every source of that series).
ALLOW_SHRINK_ENV = "ALLOW_SHRINK"
_ALLOW_ALL = frozenset({"1", "all", "true", "yes", "*"})


class ShrinkRefusedError(IngestError):
    """A load would have removed most of a source's rows; the previous rows are kept."""


def shrink_allowed(source_id: str, series_id: str, env: Mapping[str, str] | None = None) -> bool:
    value = env_value(ALLOW_SHRINK_ENV, env)
    names = {name.strip() for name in value.split(",") if name.strip()}
    return bool(names & _ALLOW_ALL) or source_id in names or series_id in names


def check_shrink(
    *, source_id: str, series_id: str, table: str, rows_before: int, rows_after: int
) -> None:
    """Raise ShrinkRefusedError when the load would drop more than MAX_DROP_FRACTION of rows."""
    dropped = rows_before - rows_after
    if rows_before == 0 or dropped <= MAX_DROP_FRACTION * rows_before:
        return
    if shrink_allowed(source_id, series_id):
        return
    raise ShrinkRefusedError(
        f"refused: this load would drop {dropped} of the {rows_before} rows of "
        f"raw.{table} ({dropped / rows_before:.0%}; at most {MAX_DROP_FRACTION:.0%} may go in "
        f"one load), leaving {rows_after}. The previous rows are kept. If the source really "
        f"shrank, load it with {ALLOW_SHRINK_ENV}={source_id}"
    )

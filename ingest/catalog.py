"""The user-editable catalog of series (YAML): adding a series is adding an entry.

An entry declares what a series is (asset class, trading calendar, currency, quote convention,
default benchmark), where its landing file(s) are and in which format, and its live source.
See catalog/series.yml for the shipped catalog and README.md for the documented keys.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ingest import yaml_lines
from ingest.errors import CatalogError
from ingest.landing_paths import UnsafeLandingPathError, check_relative, confined_path
from ingest.parsers import FORMATS

log = logging.getLogger(__name__)

ASSET_CLASSES = (
    "crypto",
    "equity",
    "index",
    "etf",
    "fx",
    "commodity",
    "rate",
    "flow",
    "hack",
    "calendar",
)
ALWAYS_OPEN = "24/7"  # exchange_calendars code for UTC days, every day
# Asset classes whose rows are not prices: no calendar or benchmark needed.
NON_PRICE_CLASSES = ("flow", "hack", "calendar")

_ENTRY_KEYS = {
    "id",
    "name",
    "asset_class",
    "calendar",
    "currency",
    "quote",
    "benchmark",
    "description",
    "landing",
    "live",
    "unit",
}
_LANDING_KEYS = {"path", "format", "primary", "name"}
_LANDING_OPTIONS = {
    "date_column",
    "value_column",
    "open_column",
    "high_column",
    "low_column",
    "volume_column",
    "delimiter",
    "decimal",
    "date_format",
    "last_row_intraday",
    "product",
    "event_type",
    "invert",
    "skip_rows",
    "close_from_next_open",
}
LIVE_SOURCES = {"yahoo_chart", "fred", "binance_klines", "defillama_hacks", "farside"}
_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class LandingSpec:
    path: str  # relative to the landing folder
    format: str
    primary: bool
    name: str  # unique within the entry; source_id = "<series id>:<name>"
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def dataset(self) -> str:
        return FORMATS[self.format].dataset


@dataclass(frozen=True)
class LiveSpec:
    source: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SeriesEntry:
    id: str
    name: str
    asset_class: str
    calendar: str | None
    currency: str | None
    quote: str | None
    unit: str | None
    benchmark: str | None
    description: str | None
    landing: tuple[LandingSpec, ...]
    live: LiveSpec | None

    def source_id(self, landing: LandingSpec | None) -> str:
        return f"{self.id}:{landing.name if landing else 'live'}"

    @property
    def datasets(self) -> set[str]:
        return {spec.dataset for spec in self.landing}

    @property
    def is_price_series(self) -> bool:
        return self.asset_class not in NON_PRICE_CLASSES


@dataclass(frozen=True)
class Catalog:
    path: Path
    entries: tuple[SeriesEntry, ...]

    def get(self, series_id: str) -> SeriesEntry:
        for entry in self.entries:
            if entry.id == series_id:
                return entry
        raise KeyError(series_id)

    @property
    def ids(self) -> list[str]:
        return [e.id for e in self.entries]

    def calendars(self) -> list[str]:
        return sorted({e.calendar for e in self.entries if e.calendar})


def _fail(path: Path, where: str, message: str) -> CatalogError:
    """``<file>, line 634: entry 57 (acme), landing 1: <message>`` (``where`` from _where)."""
    return CatalogError(f"{path}{where}: {message}")


@cache
def _known_calendars() -> frozenset[str]:
    import exchange_calendars

    return frozenset(exchange_calendars.get_calendar_names(include_aliases=True))


class _Lines:
    """Where each entry, and each of its landing items, starts in the YAML file (1-based lines),
    so an error points at the line to fix."""

    def __init__(self, document: yaml.Node | None) -> None:
        self._document = document

    def entry(self, index: int) -> int | None:
        node = yaml_lines.item(self._document, index)
        return yaml_lines.line(node) if node is not None else None

    def landing(self, index: int, i: int) -> int | None:
        landing = yaml_lines.value(yaml_lines.item(self._document, index), "landing")
        nodes = yaml_lines.items(landing) if isinstance(landing, yaml.SequenceNode) else [landing]
        return yaml_lines.line(nodes[i]) if landing is not None and i < len(nodes) else None


def _where(lines: _Lines, index: int, entry_id: Any, landing: int | None = None) -> str:
    """``, line 634: entry 57 (acme), landing 1``: counted from 1, as an editor shows them."""
    line = lines.entry(index) if landing is None else lines.landing(index, landing)
    where = f"entry {index + 1} ({entry_id})"
    if landing is not None:
        where += f", landing {landing + 1}"
    return f", line {line}: {where}" if line else f": {where}"


def _parse_landing(
    raw: Any, path: Path, lines: _Lines, index: int, entry_id: Any
) -> list[LandingSpec]:
    where = _where(lines, index, entry_id)
    items = raw if isinstance(raw, list) else [raw]
    specs: list[LandingSpec] = []
    for i, item in enumerate(items):
        here = _where(lines, index, entry_id, i)
        if not isinstance(item, dict):
            raise _fail(path, here, "must be a mapping with at least 'path' and 'format'")
        unknown = set(item) - _LANDING_KEYS - _LANDING_OPTIONS
        if unknown:
            raise _fail(path, here, f"unknown key(s) {sorted(unknown)}")
        for key in ("path", "format"):
            if not item.get(key):
                raise _fail(path, here, f"missing {key!r}")
        try:
            check_relative(str(item["path"]))
        except UnsafeLandingPathError as exc:
            raise _fail(path, here, str(exc)) from None
        if item["format"] not in FORMATS:
            raise _fail(path, here, f"unknown format {item['format']!r}; known: {sorted(FORMATS)}")
        if item["format"] == "csv" and not (item.get("date_column") and item.get("value_column")):
            raise _fail(path, here, "format 'csv' needs 'date_column' and 'value_column'")
        name = str(item.get("name") or Path(item["path"]).stem)
        options = {k: v for k, v in item.items() if k in _LANDING_OPTIONS}
        specs.append(
            LandingSpec(
                path=str(item["path"]),
                format=item["format"],
                primary=bool(item.get("primary", False)),
                name=name,
                options=options,
            )
        )
    if specs and not any(s.primary for s in specs):
        first = specs[0]
        specs[0] = LandingSpec(first.path, first.format, True, first.name, first.options)
    names = [s.name for s in specs]
    if len(names) != len(set(names)):
        raise _fail(path, where, f"landing names must be unique within an entry, got {names}")
    return specs


def _parse_entry(raw: Any, path: Path, lines: _Lines, index: int) -> SeriesEntry:
    if not isinstance(raw, dict):
        raise _fail(path, _where(lines, index, "?"), "must be a mapping")
    where = _where(lines, index, raw.get("id", "?"))
    unknown = set(raw) - _ENTRY_KEYS
    if unknown:
        raise _fail(
            path, where, f"unknown key(s) {sorted(unknown)}; allowed: {sorted(_ENTRY_KEYS)}"
        )
    series_id = raw.get("id")
    if not isinstance(series_id, str) or not _ID_PATTERN.match(series_id):
        raise _fail(path, where, "'id' must be lower-case letters, digits and '_' (e.g. my_stock)")
    asset_class = raw.get("asset_class")
    if asset_class not in ASSET_CLASSES:
        raise _fail(path, where, f"'asset_class' must be one of {list(ASSET_CLASSES)}")
    calendar = raw.get("calendar")
    if calendar is not None:
        calendar = str(calendar)
        if calendar != ALWAYS_OPEN and calendar not in _known_calendars():
            raise _fail(
                path,
                where,
                f"unknown calendar {calendar!r}: use an exchange_calendars code (XNYS, XHKG, ...) or '24/7'",
            )
    elif asset_class not in NON_PRICE_CLASSES:
        raise _fail(
            path, where, "price series need a 'calendar' (an exchange_calendars code or '24/7')"
        )
    if "landing" not in raw and "live" not in raw:
        raise _fail(path, where, "needs 'landing' and/or 'live'")
    landing = (
        _parse_landing(raw["landing"], path, lines, index, series_id) if "landing" in raw else []
    )
    live = None
    if raw.get("live"):
        live_raw = dict(raw["live"])
        source = live_raw.pop("source", None)
        if source not in LIVE_SOURCES:
            raise _fail(path, where, f"live 'source' must be one of {sorted(LIVE_SOURCES)}")
        live = LiveSpec(source=source, params=live_raw)
    return SeriesEntry(
        id=series_id,
        name=str(raw.get("name") or series_id),
        asset_class=asset_class,
        calendar=calendar,
        currency=raw.get("currency"),
        quote=raw.get("quote"),
        unit=raw.get("unit"),
        benchmark=raw.get("benchmark"),
        description=raw.get("description"),
        landing=tuple(landing),
        live=live,
    )


def _check_confined(
    path: Path, entries: list[SeriesEntry], lines: _Lines, landing_dir: Path
) -> None:
    """Every landing file resolves inside the landing folder (no symlink leading out)."""
    for index, entry in enumerate(entries):
        for i, spec in enumerate(entry.landing):
            try:
                confined_path(landing_dir, spec.path)
            except UnsafeLandingPathError as exc:
                raise _fail(path, _where(lines, index, entry.id, i), str(exc)) from None


def load_catalog(path: Path, landing_dir: Path | None = None) -> Catalog:
    """Read and validate the catalog; errors name the file, the entry and the key.

    Landing paths must be relative and free of '..'; given ``landing_dir``, each must also
    resolve inside it (a symlink leading out is refused).
    """
    if not path.exists():
        raise CatalogError(f"{path}: catalog file not found (set SERIES_FILE or create it)")
    try:
        raw, document = yaml_lines.load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise CatalogError(f"{path}{line}: invalid YAML: {exc}") from exc
    if not isinstance(raw, list):
        raise CatalogError(f"{path}: the catalog must be a YAML list of entries")
    lines = _Lines(document)
    entries = [_parse_entry(item, path, lines, i) for i, item in enumerate(raw)]
    if landing_dir is not None:
        _check_confined(path, entries, lines, landing_dir)
    ids = [e.id for e in entries]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise CatalogError(f"{path}: duplicate id(s) {duplicates}")
    known = set(ids)
    checked = []
    for entry in entries:
        if entry.benchmark and entry.benchmark not in known:
            log.warning(
                "%s: %s: benchmark %r is not in this catalog; left empty",
                path,
                entry.id,
                entry.benchmark,
            )
            entry = SeriesEntry(**{**entry.__dict__, "benchmark": None})
        checked.append(entry)
    return Catalog(path=path, entries=tuple(checked))

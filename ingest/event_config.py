"""Event catalogue (CSV) and event-study definitions (YAML): load, validate, write to raw.*.

``EVENTS_FILE`` (default ``config/events.csv``) and ``STUDIES_FILE`` (default
``config/studies.yml``) are read whole, validated, and written as long tables, each replaced in
one transaction:

- ``raw.events``: one row per catalogued event (instants in naive UTC, ``has_time`` false for
  date-only events, which start at 00:00 UTC).
- ``raw.studies``: one row per study (model, benchmark, returns, estimation window, anchor, ...).
- ``raw.study_event_windows``: one row per (study, event window).
- ``raw.study_selectors``: one row per entry of a study's ``events`` (an event id, or a selector
  on event_type / min_amount_usd).
- ``raw.study_assets``: one row per entry of a study's ``assets`` (asset id, asset class or
  ``event``); unknown ones are resolved (and reported as exclusions) by dbt.

Every problem raises ``EventConfigError`` naming the file, the line and the key or column.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from ingest import yaml_lines
from ingest.config import env_value, load_settings
from ingest.datasets import EVENT_CONFIG_TABLES, create_table_sql
from ingest.errors import FileFormatError
from ingest.warehouse import writer

EVENT_COLUMNS = [
    "event_id",
    "event_name",
    "event_type",
    "event_time",
    "asset_id",
    "amount_usd",
    "source_url",
    "notes",
]
REQUIRED_EVENT_COLUMNS = ("event_id", "event_name", "event_type", "event_time")
STUDY_KEYS = {
    "id",
    "events",
    "assets",
    "model",
    "benchmark",
    "returns",
    "estimation_window",
    "event_windows",
    "anchor",
    "min_estimation_days",
}
REQUIRED_STUDY_KEYS = ("id", "events", "assets", "model", "estimation_window", "event_windows")
MODELS = ("raw", "mean_adjusted", "market_adjusted", "market_model")
# level: the series value itself (ETF net flows), for the models without a benchmark
RETURNS = ("simple", "log", "level")
LEVEL_MODELS = ("raw", "mean_adjusted")
ANCHORS = ("next", "previous")
SELECTOR_KEYS = {"event_type", "min_amount_usd"}
ID_RE = re.compile(r"^[A-Za-z0-9_.:\-]+$")


class EventConfigError(FileFormatError):
    """The events or studies file is invalid; the message names file, line and key/column."""


def events_file() -> Path:
    return load_settings().events_file


def studies_file() -> Path:
    return load_settings().studies_file


# ---------------------------------------------------------------------------------- events


def parse_event_time(value: str) -> tuple[dt.datetime, bool]:
    """ISO 8601 date or date-time in UTC -> (naive UTC datetime, has_time)."""
    text = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return dt.datetime.fromisoformat(text), False
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = dt.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        # no offset written: the file's convention is UTC
        return parsed, True
    if parsed.utcoffset() != dt.timedelta(0):
        raise ValueError("event_time must be in UTC (suffix Z or +00:00)")
    return parsed.astimezone(dt.UTC).replace(tzinfo=None), True


def load_events(path: Path) -> pd.DataFrame:
    origin = str(path)
    if not path.is_file():
        raise EventConfigError(origin, "events file not found")
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [c for c in REQUIRED_EVENT_COLUMNS if c not in header]
        if missing:
            raise EventConfigError(origin, f"missing column(s) {missing}", line=1)
        unknown = [c for c in header if c not in EVENT_COLUMNS]
        if unknown:
            raise EventConfigError(
                origin, f"unknown column(s) {unknown}; expected {EVENT_COLUMNS}", line=1
            )
        rows = []
        seen: dict[str, int] = {}
        for row in reader:
            line = reader.line_num
            if not any((v or "").strip() for v in row.values()):
                continue
            rec = {c: (row.get(c) or "").strip() for c in EVENT_COLUMNS}
            for col in REQUIRED_EVENT_COLUMNS:
                if not rec[col]:
                    raise EventConfigError(origin, "value required", line=line, column=col)
            if not ID_RE.match(rec["event_id"]):
                raise EventConfigError(
                    origin,
                    f"invalid event_id {rec['event_id']!r} (letters, digits, _ . : - only)",
                    line=line,
                    column="event_id",
                )
            if rec["event_id"] in seen:
                raise EventConfigError(
                    origin,
                    f"duplicate event_id {rec['event_id']!r} (first on line {seen[rec['event_id']]})",
                    line=line,
                    column="event_id",
                )
            seen[rec["event_id"]] = line
            try:
                instant, has_time = parse_event_time(rec["event_time"])
            except ValueError as exc:
                raise EventConfigError(
                    origin,
                    f"invalid ISO 8601 UTC date or date-time {rec['event_time']!r}: {exc}",
                    line=line,
                    column="event_time",
                ) from None
            amount = None
            if rec["amount_usd"]:
                try:
                    amount = float(rec["amount_usd"].replace("_", ""))
                except ValueError:
                    raise EventConfigError(
                        origin,
                        f"amount_usd must be a number, not {rec['amount_usd']!r}",
                        line=line,
                        column="amount_usd",
                    ) from None
                if amount < 0:
                    raise EventConfigError(
                        origin, "amount_usd must be >= 0", line=line, column="amount_usd"
                    )
            rows.append(
                {
                    "event_id": rec["event_id"],
                    "event_name": rec["event_name"],
                    "event_type": rec["event_type"].lower(),
                    "event_time_utc": instant,
                    "has_time": has_time,
                    "asset_id": rec["asset_id"].lower() or None,
                    "amount_usd": amount,
                    "source_url": rec["source_url"] or None,
                    "notes": rec["notes"] or None,
                    "source_line": line,
                    "origin": origin,
                }
            )
    frame = pd.DataFrame(
        rows,
        columns=[
            "event_id",
            "event_name",
            "event_type",
            "event_time_utc",
            "has_time",
            "asset_id",
            "amount_usd",
            "source_url",
            "notes",
            "source_line",
            "origin",
        ],
    )
    frame["event_time_utc"] = pd.to_datetime(frame["event_time_utc"])
    frame["amount_usd"] = frame["amount_usd"].astype("float64")
    return frame


# ---------------------------------------------------------------------------------- studies


@dataclass(frozen=True)
class StudyTables:
    studies: pd.DataFrame
    windows: pd.DataFrame
    selectors: pd.DataFrame
    assets: pd.DataFrame


def _window(value: object) -> tuple[int, int] | None:
    if (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        and value[0] <= value[1]
    ):
        return int(value[0]), int(value[1])
    return None


def load_studies(path: Path) -> StudyTables:
    origin = str(path)
    if not path.is_file():
        raise EventConfigError(origin, "studies file not found")
    try:
        doc, root = yaml_lines.load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise EventConfigError(
            origin, f"invalid YAML: {exc}", line=(mark.line + 1) if mark else None
        ) from None
    if doc is None:
        doc = []
    if not isinstance(doc, list):
        raise EventConfigError(origin, "the file must be a YAML list of studies", line=1)
    studies, windows, selectors, assets = [], [], [], []
    seen: dict[str, int] = {}
    for item, node in zip(doc, yaml_lines.items(root), strict=True):
        line = yaml_lines.line(node)
        if not isinstance(item, dict):
            raise EventConfigError(origin, "each study must be a mapping", line=line)
        key_lines = yaml_lines.key_lines(node)

        def fail(key: str, message: str, _line=line, _kl=key_lines) -> None:
            raise EventConfigError(origin, message, line=_kl.get(key, _line), column=key)

        unknown = sorted(set(item) - STUDY_KEYS)
        if unknown:
            fail(unknown[0], f"unknown key {unknown[0]!r}; allowed: {sorted(STUDY_KEYS)}")
        for key in REQUIRED_STUDY_KEYS:
            if key not in item or item[key] in (None, "", []):
                fail(key, f"key {key!r} is required")
        study_id = str(item["id"])
        if not ID_RE.match(study_id):
            fail("id", f"invalid study id {study_id!r}")
        if study_id in seen:
            fail("id", f"duplicate study id {study_id!r} (first on line {seen[study_id]})")
        seen[study_id] = key_lines.get("id", line)
        model = str(item["model"])
        if model not in MODELS:
            fail("model", f"model must be one of {list(MODELS)}, not {model!r}")
        returns = str(item.get("returns") or "simple")
        if returns not in RETURNS:
            fail("returns", f"returns must be one of {list(RETURNS)}, not {returns!r}")
        if returns == "level" and model not in LEVEL_MODELS:
            fail(
                "returns", f"returns: level needs model {' or '.join(LEVEL_MODELS)}, not {model!r}"
            )
        anchor = str(item.get("anchor") or "next")
        if anchor not in ANCHORS:
            fail("anchor", f"anchor must be one of {list(ANCHORS)}, not {anchor!r}")
        est = _window(item["estimation_window"])
        if est is None:
            fail("estimation_window", "estimation_window must be [T0, T1] integers, T0 <= T1")
        ev_list = item["event_windows"]
        if not isinstance(ev_list, list):
            fail("event_windows", "event_windows must be a list of [t1, t2]")
        parsed_windows = []
        for value in ev_list:
            win = _window(value)
            if win is None:
                fail("event_windows", f"event window {value!r} must be [t1, t2] integers, t1 <= t2")
            if not (win[0] > est[1] or win[1] < est[0]):
                fail(
                    "event_windows",
                    f"event window {list(win)} overlaps the estimation window {list(est)}",
                )
            if win not in parsed_windows:
                parsed_windows.append(win)
        min_days = item.get("min_estimation_days", 30)
        if not isinstance(min_days, int) or isinstance(min_days, bool) or min_days < 3:
            fail("min_estimation_days", "min_estimation_days must be an integer >= 3")
        benchmark = item.get("benchmark")
        if benchmark is not None and not isinstance(benchmark, str):
            fail("benchmark", "benchmark must be an asset id")
        events = item["events"]
        if events == "all":
            # every event: a selector with no condition
            events = [{"event_type": None}]
        if isinstance(events, dict):
            events = [events]
        if not isinstance(events, list):
            fail("events", "events must be a list of event ids or a selector mapping")
        for pos, entry in enumerate(events):
            if isinstance(entry, dict):
                bad = sorted(set(entry) - SELECTOR_KEYS)
                if bad or not entry:
                    fail("events", f"selector keys must be among {sorted(SELECTOR_KEYS)}")
                amount = entry.get("min_amount_usd")
                if amount is not None and (
                    not isinstance(amount, int | float) or isinstance(amount, bool)
                ):
                    fail("events", "min_amount_usd must be a number")
                selectors.append(
                    {
                        "study_id": study_id,
                        "position": pos,
                        "event_id": None,
                        "event_type": str(entry["event_type"]).lower()
                        if entry.get("event_type") is not None
                        else None,
                        "min_amount_usd": float(amount) if amount is not None else None,
                    }
                )
            elif isinstance(entry, str) and entry:
                selectors.append(
                    {
                        "study_id": study_id,
                        "position": pos,
                        "event_id": entry,
                        "event_type": None,
                        "min_amount_usd": None,
                    }
                )
            else:
                fail("events", f"invalid events entry {entry!r}")
        asset_list = item["assets"]
        if isinstance(asset_list, str):
            asset_list = [asset_list]
        if not isinstance(asset_list, list) or not all(
            isinstance(a, str) and a for a in asset_list
        ):
            fail("assets", "assets must be a list of asset ids, asset classes or 'event'")
        for pos, ref in enumerate(dict.fromkeys(a.lower() for a in asset_list)):
            assets.append({"study_id": study_id, "position": pos, "asset_ref": ref})
        for pos, (start, end) in enumerate(parsed_windows):
            windows.append(
                {"study_id": study_id, "position": pos, "window_start": start, "window_end": end}
            )
        studies.append(
            {
                "study_id": study_id,
                "model": model,
                "benchmark_asset_id": benchmark.lower() if benchmark else None,
                "returns": returns,
                "estimation_start": est[0],
                "estimation_end": est[1],
                "anchor": anchor,
                "min_estimation_days": min_days,
                "source_line": seen[study_id],
                "origin": origin,
            }
        )

    def frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
        return pd.DataFrame(rows, columns=columns)

    return StudyTables(
        studies=frame(
            studies,
            [
                "study_id",
                "model",
                "benchmark_asset_id",
                "returns",
                "estimation_start",
                "estimation_end",
                "anchor",
                "min_estimation_days",
                "source_line",
                "origin",
            ],
        ),
        windows=frame(windows, ["study_id", "position", "window_start", "window_end"]),
        selectors=frame(
            selectors, ["study_id", "position", "event_id", "event_type", "min_amount_usd"]
        ),
        assets=frame(assets, ["study_id", "position", "asset_ref"]),
    )


# ---------------------------------------------------------------------------------- writing


def write_event_config(db_path: Path, events: pd.DataFrame, studies: StudyTables) -> dict[str, int]:
    """Replace the five raw tables in one transaction; returns row counts per table."""
    frames = {
        "events": events,
        "studies": studies.studies,
        "study_event_windows": studies.windows,
        "study_selectors": studies.selectors,
        "study_assets": studies.assets,
    }
    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    counts = {}
    with writer(db_path) as con:
        con.execute("create schema if not exists raw")
        con.execute("begin transaction")
        try:
            for table, frame in frames.items():
                data = frame.copy()
                data["loaded_at"] = loaded_at
                con.execute(create_table_sql(EVENT_CONFIG_TABLES[table], replace=True))
                con.register("_frame", data)
                cols = ", ".join(data.columns)
                con.execute(f"insert into raw.{table} ({cols}) select {cols} from _frame")
                con.unregister("_frame")
                counts[table] = len(data)
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
    return counts


def load_event_config(
    db_path: Path | None = None,
    events_path: Path | None = None,
    studies_path: Path | None = None,
) -> dict[str, int]:
    """Read the events and studies files (default EVENTS_FILE, STUDIES_FILE), validate, write
    raw.* (the Dagster assets call this)."""
    events = load_events(events_path or events_file())
    studies = load_studies(studies_path or studies_file())
    return write_event_config(db_path or load_settings().warehouse_db, events, studies)


if __name__ == "__main__":  # pragma: no cover - manual use
    print(load_event_config())
    print(
        "threshold for automatic hack events (dbt var hack_event_min_usd):",
        env_value("HACK_EVENT_MIN_USD") or "100000000",
    )

"""Events and studies files: the shipped ones load; mistakes name the file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.config import REPO_ROOT
from ingest.event_config import EventConfigError, load_events, load_studies

HEADER = "event_id,event_name,event_type,event_time,asset_id,amount_usd,source_url,notes\n"
STUDY = """- id: s1
  events: [e1]
  assets: [nvda]
  model: market_model
  estimation_window: [-250, -11]
  event_windows: [[-1, 1]]
"""


def test_shipped_events_and_studies_load() -> None:
    events = load_events(REPO_ROOT / "config" / "events.csv")
    bybit = events.set_index("event_id").loc["bybit_hack"]
    assert str(bybit["event_time_utc"]) == "2025-02-21 14:13:35"
    assert bool(bybit["has_time"])
    assert events["source_url"].str.startswith("https://").all()
    # FOMC statements at 2 pm New York: 19:00 UTC in winter, 18:00 UTC in summer
    fomc = events.set_index("event_id")["event_time_utc"].astype(str)
    assert fomc["fomc_20250129"] == "2025-01-29 19:00:00"
    assert fomc["fomc_20250618"] == "2025-06-18 18:00:00"
    studies = load_studies(REPO_ROOT / "config" / "studies.yml")
    assert len(studies.studies) >= 8


def _events(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "events.csv"
    path.write_text(HEADER + rows)
    return path


@pytest.mark.parametrize(
    ("rows", "line", "column", "text"),
    [
        (
            "e1,One,hack,2025-02-21T14:13:35Z,,,,\ne1,Two,hack,2025-02-22,,,,\n",
            3,
            "event_id",
            "duplicate",
        ),
        ("e1,One,hack,21/02/2025,,,,\n", 2, "event_time", ""),
        ("e1,One,hack,2025-02-21T09:00:00-05:00,,,,\n", 2, "event_time", "UTC"),
        ("e1,,hack,2025-02-21,,,,\n", 2, "event_name", "required"),
    ],
)
def test_bad_event_rows_name_line_and_column(
    tmp_path: Path, rows: str, line: int, column: str, text: str
) -> None:
    path = _events(tmp_path, rows)
    with pytest.raises(EventConfigError) as excinfo:
        load_events(path)
    message = str(excinfo.value)
    assert str(path) in message and f"line {line}" in message and column in message
    assert text in message


@pytest.mark.parametrize(
    ("change", "key", "line"),
    [
        (("model: market_model", "model: fama_french"), "model", 4),
        (("event_windows: [[-1, 1]]", "event_windows: [[-20, 1]]"), "event_windows", 6),
        (("  assets: [nvda]\n", "  assets: [nvda]\n  benchmrk: spx\n"), "benchmrk", 4),
        # level (flow series) has no benchmark: raw or mean_adjusted only
        (("  assets: [nvda]\n", "  assets: [nvda]\n  returns: level\n"), "returns", 4),
        # keys are the file's own: none is reserved for the loader's bookkeeping (the old loader
        # wrote __line__ into every mapping and skipped such keys in selectors)
        (("events: [e1]", "events: [{event_type: hack, __line__: 2}]"), "events", 2),
        (("  assets: [nvda]\n", "  assets: [nvda]\n  __line__: 1\n"), "__line__", 4),
        (("event_windows: [[-1, 1]]\n", "event_windows: [[-1, 1]]\n- just a name\n"), "study", 7),
    ],
)
def test_bad_studies_name_line_and_key(
    tmp_path: Path, change: tuple[str, str], key: str, line: int
) -> None:
    path = tmp_path / "studies.yml"
    path.write_text(STUDY.replace(*change))
    with pytest.raises(EventConfigError) as excinfo:
        load_studies(path)
    message = str(excinfo.value)
    assert str(path) in message and key in message and f"line {line}" in message


def test_flow_study_reads_every_event_and_levels(tmp_path: Path) -> None:
    """`events: all` is a selector without conditions; `returns: level` with a constant mean."""
    path = tmp_path / "studies.yml"
    path.write_text(
        STUDY.replace("events: [e1]", "events: all")
        .replace("assets: [nvda]", "assets: [btc_etf_flows]")
        .replace("model: market_model", "model: mean_adjusted\n  returns: level")
    )
    tables = load_studies(path)
    assert tables.studies.loc[0, "returns"] == "level"
    selector = tables.selectors.iloc[0]
    assert selector[["event_id", "event_type", "min_amount_usd"]].isna().all()
    shipped = load_studies(REPO_ROOT / "config" / "studies.yml").studies.set_index("study_id")
    flows = shipped.loc["etf_flows"]
    assert (
        flows["model"],
        flows["returns"],
        flows["estimation_start"],
        flows["estimation_end"],
    ) == (
        "mean_adjusted",
        "level",
        -60,
        -11,
    )

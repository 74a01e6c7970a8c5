"""Event-study fixtures: the built warehouse, and a copy of it rebuilt with a test study config.

``EVENT_STUDY_TEST_DB=<file>`` reuses an already built warehouse instead of the session's build.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from bench.es_compare_engines import EVENT_STUDY_MODELS, DbtRunFailed, rebuild_event_study
from ingest.config import REPO_ROOT, env_value

# Instants chosen around real market hours: NYSE 14:30-21:00 UTC, HKEX 01:30-08:00 UTC (winter),
# 24/7 days 00:00-24:00 UTC. Saturday 2025-02-22, Friday 2025-02-21 (Bybit), Wednesday 02-19.
CONVENTION_EVENTS = {
    "sat_1300": "2025-02-22T13:00:00Z",  # weekend: only the 24/7 market is open
    "fri_1416": "2025-02-21T14:16:00Z",  # Bybit: 24/7 open, NYSE not yet, HKEX closed
    "wed_0300": "2025-02-19T03:00:00Z",  # HKEX and 24/7 open, NYSE closed
    "wed_1500": "2025-02-19T15:00:00Z",  # NYSE and 24/7 open, HKEX closed
    "wed_2100": "2025-02-19T21:00:00Z",  # the NYSE close itself: closed ([open, close))
    "sun_2330": "2025-02-23T23:30:00Z",  # late Sunday
}
# Two events on one day for the same assets: one estimation unit stands for both pairs.
SHARED_DATES = [
    "2024-03-05T10:00:00Z",
    "2024-03-05T18:00:00Z",
    "2024-04-16T15:00:00Z",
    "2024-05-22T15:00:00Z",
    "2024-05-22T19:30:00Z",
    "2024-07-24T15:00:00Z",
    "2024-08-05T15:00:00Z",
    "2024-09-18T18:00:00Z",
    "2024-11-06T15:00:00Z",
    "2024-12-18T19:00:00Z",
]

STUDIES = """
- id: conv_next
  events: [{event_type: convention}]
  assets: [btc, spy, tencent]
  model: mean_adjusted
  estimation_window: [-250, -11]
  event_windows: [[0, 0]]
  anchor: next
  min_estimation_days: 100
- id: conv_previous
  events: [{event_type: convention}]
  assets: [btc, spy, tencent]
  model: mean_adjusted
  estimation_window: [-250, -11]
  event_windows: [[0, 0]]
  anchor: previous
  min_estimation_days: 100
- id: gaps
  events: [tencent_gap, tao_early]
  assets: [event]
  model: market_model
  estimation_window: [-250, -11]
  event_windows: [[-1, 1], [0, 0], [0, 5]]
  anchor: next
  min_estimation_days: 100
- id: shared_days
  events: [{event_type: shared}]
  assets: [btc, eth, spy, qqq, nvda]
  model: market_model
  estimation_window: [-250, -11]
  event_windows: [[-1, 1], [0, 0], [0, 5]]
  anchor: next
  min_estimation_days: 100
# Kolari-Pynnonen's r of the other models' residuals (raw: the return itself, centred on its
# mean; market-adjusted: the return less the benchmark's)
- id: shared_days_raw
  events: [{event_type: shared}]
  assets: [btc, eth, spy, qqq, nvda]
  model: raw
  estimation_window: [-250, -11]
  event_windows: [[0, 0]]
  anchor: next
  min_estimation_days: 100
- id: shared_days_market_adjusted
  events: [{event_type: shared}]
  assets: [btc, eth, spy, qqq, nvda]
  model: market_adjusted
  estimation_window: [-250, -11]
  event_windows: [[0, 0]]
  anchor: next
  min_estimation_days: 100
- id: one_date
  events: [one_date]
  assets: [spy, qqq, nvda, ixic, ndx, coin]
  model: market_model
  benchmark: spx
  estimation_window: [-250, -11]
  event_windows: [[0, 0], [0, 5]]
  anchor: next
  min_estimation_days: 100
"""


def events_csv() -> str:
    rows = ["event_id,event_name,event_type,event_time,asset_id,amount_usd,source_url,notes"]
    rows += [f"{k},{k},convention,{v},,,," for k, v in CONVENTION_EVENTS.items()]
    rows += [f"shared_{i:02d},shared {i},shared,{v},,,," for i, v in enumerate(SHARED_DATES)]
    rows += [
        # 2023-09-01: HKEX closed by a typhoon (no price); day 0 = Thursday 08-31
        "tencent_gap,Typhoon week,test,2023-08-31T06:00:00Z,tencent,,,",
        # TAO's data start 2024-04-11: its estimation window is cut by the start of the data
        "tao_early,TAO early,test,2024-08-20T12:00:00Z,tao,,,",
        "one_date,One date,test,2025-01-27T15:00:00Z,,,,",
    ]
    return "\n".join(rows) + "\n"


@pytest.fixture(scope="session")
def event_study_db(request) -> Path:
    """The session's freshly built warehouse (or EVENT_STUDY_TEST_DB)."""
    path = env_value("EVENT_STUDY_TEST_DB")
    return Path(path) if path else request.getfixturevalue("built_warehouse")


@pytest.fixture(scope="session")
def convention_db(event_study_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the built warehouse whose event-study marts were rebuilt from the test
    events and studies above (real prices, real calendars)."""
    workdir = tmp_path_factory.mktemp("event_study_conventions")
    events, studies = workdir / "events.csv", workdir / "studies.yml"
    events.write_text(events_csv(), encoding="utf-8")
    studies.write_text(STUDIES, encoding="utf-8")
    try:
        return rebuild_event_study(
            REPO_ROOT, event_study_db, workdir / "build", events, studies, EVENT_STUDY_MODELS
        )
    except DbtRunFailed as failure:
        pytest.fail(str(failure))


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """Read-only connection under the catalog name dbt's views use."""
    con = duckdb.connect()
    con.execute(f"attach '{path}' as warehouse (read_only)")
    con.execute("use warehouse")
    return con

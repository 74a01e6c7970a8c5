"""raw.trading_sessions is computed again only when what it is made from changed.

Building the exchange calendars takes about a second of every `make run`; the table keeps its
recipe (calendars, date range, exchange_calendars version) and a run with the same recipe
leaves it as it is. A new calendar in the catalog, another range or FULL=1 computes it again.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import ingest.pipeline as pipeline
from ingest.pipeline import load_trading_sessions
from tests.ingest.workspace import catalog_of, make_workspace, scalar

IBIT_FILE = "equities/adjclose_IBIT.csv"
HK_FILE = "equities/yf_0700.HK.csv"


def _entry(entry_id: str, path: str, calendar: str) -> str:
    return f"""
- id: {entry_id}
  name: {entry_id}
  asset_class: equity
  calendar: {calendar}
  currency: USD
  landing: {{path: '{path}', format: yahoo_csv, last_row_intraday: true}}
"""


def _fail_if_computed(*_args, **_kwargs):
    raise AssertionError("the sessions were computed again")


def test_sessions_are_kept_while_their_recipe_holds(
    tmp_path: Path, landing_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_workspace(
        tmp_path, landing_dir, monkeypatch, [IBIT_FILE], _entry("ibit", IBIT_FILE, "XNYS")
    )
    rows = load_trading_sessions(settings, catalog_of(settings), end="2025-12-31")
    # The Bybit hack's Friday is an XNYS session; the Monday after Christmas 2024 is not a holiday.
    xnys = "select count(*) from raw.trading_sessions where calendar = 'XNYS' and session_date = ?"
    assert scalar(settings, xnys, [date(2025, 2, 21)]) == 1
    assert scalar(settings, xnys, [date(2025, 12, 25)]) == 0

    with monkeypatch.context() as patched:
        patched.setattr(pipeline, "all_sessions", _fail_if_computed)
        assert load_trading_sessions(settings, catalog_of(settings), end="2025-12-31") == rows

        patched.setenv("FULL", "1")
        with pytest.raises(AssertionError, match="computed again"):
            load_trading_sessions(settings, catalog_of(settings), end="2025-12-31")
        patched.delenv("FULL")
        with pytest.raises(AssertionError, match="computed again"):
            load_trading_sessions(settings, catalog_of(settings), end="2026-12-31")


def test_a_new_calendar_computes_the_sessions_again(
    tmp_path: Path, landing_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = _entry("ibit", IBIT_FILE, "XNYS")
    settings = make_workspace(tmp_path, landing_dir, monkeypatch, [IBIT_FILE, HK_FILE], catalog)
    load_trading_sessions(settings, catalog_of(settings), end="2025-12-31")
    assert (
        scalar(settings, "select count(*) from raw.trading_sessions where calendar = 'XHKG'") == 0
    )

    (tmp_path / "series.yml").write_text(catalog + _entry("tencent", HK_FILE, "XHKG"))
    load_trading_sessions(settings, catalog_of(settings), end="2025-12-31")
    # Hong Kong closed for the Lunar New Year on 2025-01-29; XNYS traded.
    hk = "select count(*) from raw.trading_sessions where calendar = 'XHKG' and session_date = ?"
    assert scalar(settings, hk, [date(2025, 1, 28)]) == 1
    assert scalar(settings, hk, [date(2025, 1, 29)]) == 0

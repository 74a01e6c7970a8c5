"""Issue 8.4, second line of defence: the dbt tests on marts.fct_daily_prices catch what slips.

``plausible_price`` (finite, positive, not in the future) and ``daily_move_within`` (no
day-to-day move beyond the asset class's factor) run with the real dbt CLI on a small DuckDB
file holding real IBIT and BTC closes, first as they are (both pass, COVID crash included),
then with an overflow, an infinite close and a 2099 bar that bypassed ingest (both fail).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ingest.config import REPO_ROOT
from ingest.parsers import FORMATS, ParseContext

PROJECT = "event_study_warehouse"  # dbt_project.yml's name
DBT_SECONDS = 600  # a cold parse of the whole project and two tests, on a busy machine
TESTS = ("plausible_price", "daily_move_within")
SOURCES = {
    # asset id: (class, landing file, format, options)
    "ibit": ("etf", "equities/adjclose_IBIT.csv", "yahoo_csv", {"last_row_intraday": True}),
    "btc": ("crypto", "crypto_prices/binance_spot_1d_BTCUSDT.csv", "binance_klines_csv", {}),
}


def _real_prices(landing_dir: Path) -> pd.DataFrame:
    frames = []
    for asset_id, (_, relative, fmt, options) in SOURCES.items():
        ctx = ParseContext(relative, asset_id, dict(options))
        bars = FORMATS[fmt].parser((landing_dir / relative).read_bytes(), ctx).frame
        frames.append(
            pd.DataFrame(
                {
                    "asset_id": asset_id,
                    "trade_date": bars["bar_date"].dt.date,
                    "close": bars["close"],
                    "source_id": f"{asset_id}:{Path(relative).stem}",
                    "is_session": True,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _write_marts(db_path: Path, prices: pd.DataFrame) -> None:
    classes = pd.DataFrame(
        {"asset_id": list(SOURCES), "asset_class": [c for c, *_ in SOURCES.values()]}
    )
    with duckdb.connect(str(db_path)) as con:
        con.execute("create schema marts")
        con.register("prices_in", prices)
        con.register("classes_in", classes)
        con.execute("create table marts.fct_daily_prices as select * from prices_in")
        con.execute("create table marts.dim_asset as select * from classes_in")


def _dbt_test(db_path: Path, work: Path) -> dict[str, tuple[str, int]]:
    """Run the two generic tests; their status and failing row count by test name."""
    env = {
        **os.environ,
        "WAREHOUSE_DB": str(db_path),
        "DBT_PROJECT_DIR": str(REPO_ROOT / "dbt_project"),  # profiles.yml finds the UDFs there
    }
    dbt = Path(sys.executable).parent / "dbt"
    command = [
        str(dbt),
        "test",
        "--project-dir",
        str(REPO_ROOT / "dbt_project"),
        "--profiles-dir",
        str(REPO_ROOT / "dbt_project"),
        "--target-path",
        str(work / "target"),  # never the shared dbt_project/target
        "--log-path",
        str(work / "dbt_log"),
        "--select",
        *(f"test_name:{name}" for name in TESTS),
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=DBT_SECONDS)
    run_results = work / "target" / "run_results.json"
    if not run_results.exists():
        pytest.fail(f"dbt wrote no run results:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    outcome = {}
    for result in json.loads(run_results.read_text())["results"]:
        name = next(n for n in TESTS if result["unique_id"].startswith(f"test.{PROJECT}.{n}"))
        outcome[name] = (result["status"], result["failures"])
    assert set(outcome) == set(TESTS), done.stdout[-3000:]
    return outcome


@pytest.fixture(scope="module")
def real_prices(landing_dir: Path) -> pd.DataFrame:
    return _real_prices(landing_dir)


def test_real_prices_pass_both_tests(real_prices: pd.DataFrame, tmp_path: Path) -> None:
    btc = real_prices[real_prices.asset_id == "btc"].set_index("trade_date")["close"]
    assert btc[pd.Timestamp("2020-03-12").date()] == 4800.0  # the COVID crash is in
    db_path = tmp_path / "prices.duckdb"
    _write_marts(db_path, real_prices)
    assert _dbt_test(db_path, tmp_path) == {
        "plausible_price": ("pass", 0),
        "daily_move_within": ("pass", 0),
    }


def test_an_overflow_an_infinity_and_a_2099_bar_fail_them(
    real_prices: pd.DataFrame, tmp_path: Path
) -> None:
    prices = real_prices.copy()
    ibit_day = (prices.asset_id == "ibit") & (
        prices.trade_date == pd.Timestamp("2025-01-27").date()
    )
    btc_day = (prices.asset_id == "btc") & (prices.trade_date == pd.Timestamp("2020-03-12").date())
    prices.loc[ibit_day, "close"] = 1e308
    prices.loc[btc_day, "close"] = float("inf")
    future = pd.DataFrame(
        [
            {
                "asset_id": "ibit",
                "trade_date": pd.Timestamp("2099-12-31").date(),
                "close": 50.0,
                "source_id": "ibit:adjclose_IBIT",
                "is_session": True,
            }
        ]
    )
    db_path = tmp_path / "prices.duckdb"
    _write_marts(db_path, pd.concat([prices, future], ignore_index=True))

    outcome = _dbt_test(db_path, tmp_path)

    # plausible_price: the infinite close and the 2099 bar. daily_move_within: into and out of
    # the 1e308 day, and into and out of the infinite one.
    assert outcome == {"plausible_price": ("fail", 2), "daily_move_within": ("fail", 4)}

"""marts.fct_findings on the real warehouse: every claim present, verdicts valid, values computed
from data (three rows re-computed independently with pandas/SciPy from lower-level marts and the
raw files), and no verdict typed in outside a CASE."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ingest.config import REPO_ROOT

MODEL_SQL = REPO_ROOT / "dbt_project" / "models" / "marts" / "findings" / "fct_findings.sql"
CLAIM_IDS = {
    "bybit_btc_etf_outflows",
    "deepseek_nvda_selloff",
    "deepseek_nasdaq_selloff",
    "deepseek_crypto_selloff",
    "deepseek_ai_tokens",
    "deepseek_china_tech_vs_us_ai",
    "deepseek_oss_week_china_tech",
    "hkd_toward_strong_side",
    "btc_etf_approval_drawdown",
    "btc_etf_approval_recovery",
    "gold_near_2920",
    "dollar_strong_then_weak",
    "feb_2025_hack_losses",
}
VERDICTS = {"supported", "not supported", "inconclusive"}


@pytest.fixture(scope="module")
def con(built_warehouse: Path):
    connection = duckdb.connect(str(built_warehouse), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def findings(con) -> pd.DataFrame:
    return con.execute("select * from marts.fct_findings").df().set_index("claim_id")


def test_every_claim_once_with_valid_verdict_and_value(findings):
    assert set(findings.index) == CLAIM_IDS
    assert findings.index.is_unique
    assert set(findings["verdict"]) <= VERDICTS
    assert findings["value"].notna().all(), findings[findings["value"].isna()]
    for column in ("claim", "metric", "evidence", "note", "period_start", "period_end"):
        assert findings[column].notna().all(), column
    assert findings["evidence"].str.contains("marts.").all()


def test_bybit_caf_and_verdict_recomputed_from_daily_flows(con, findings):
    flows = con.execute(
        "select date, publisher_total_usd as flow_usd from marts.fct_etf_flow_daily_total "
        "where product = 'BTC' and market_open order by date"
    ).df()
    flows["date"] = pd.to_datetime(flows["date"])
    day0 = flows.index[flows["date"] == pd.Timestamp("2025-02-21")][
        0
    ]  # 14:13 UTC, before the close
    estimation = flows["flow_usd"].iloc[day0 - 60 : day0 - 10].dropna()
    window = flows["flow_usd"].iloc[day0 : day0 + 6]
    n, big_l = len(window), len(estimation)
    caf = float((window - estimation.mean()).sum())
    t = caf / (estimation.std(ddof=1) * np.sqrt(n + n**2 / big_l))
    p = 2 * stats.t.sf(abs(t), big_l - 1)
    row = findings.loc["bybit_btc_etf_outflows"]
    assert row["value"] == pytest.approx(caf, rel=1e-9)
    expected = (
        "supported" if caf < 0 and p < 0.05 else ("inconclusive" if caf < 0 else "not supported")
    )
    assert row["verdict"] == expected
    assert pd.Timestamp(row["period_start"]) == pd.Timestamp("2025-02-21")


def test_nvda_return_on_deepseek_day_from_raw_csv(landing_dir, findings):
    raw = pd.read_csv(landing_dir / "equities" / "yf_NVDA.csv")
    raw["day"] = raw["Date"].str[:10]
    close = raw.set_index("day")["Close"]
    expected = close["2025-01-27"] / close["2025-01-24"] - 1
    row = findings.loc["deepseek_nvda_selloff"]
    assert row["value"] == pytest.approx(expected, abs=1e-9)
    assert row["value"] < -0.15  # the biggest one-day market-value loss on record
    assert row["verdict"] == "supported"


def test_feb_2025_hack_losses_rank_from_incidents(con, findings):
    incidents = con.execute("select incident_date, amount_usd from marts.fct_hack_incident").df()
    incidents["month"] = pd.to_datetime(incidents["incident_date"]).dt.to_period("M")
    monthly = incidents.groupby("month")["amount_usd"].sum(min_count=0).fillna(0.0)
    feb = monthly[pd.Period("2025-02", "M")]
    percentile = (monthly <= feb).mean()  # cume_dist
    row = findings.loc["feb_2025_hack_losses"]
    assert row["value"] == pytest.approx(feb, rel=1e-9)
    assert row["verdict"] == ("supported" if percentile >= 0.95 else "not supported")
    rank = int((monthly > feb).sum()) + 1
    assert f"Rank {rank} of {len(monthly)} months" in row["note"]


def test_btc_drawdown_after_etf_approval_from_prices(con, findings):
    btc = con.execute(
        "select trade_date, close from marts.fct_daily_prices where asset_id = 'btc' "
        "and trade_date between '2024-01-10' and '2024-02-15' order by trade_date"
    ).df()
    btc["trade_date"] = pd.to_datetime(btc["trade_date"])
    peak = btc.loc[btc["trade_date"] <= "2024-01-11", "close"].max()
    trough = btc.loc[btc["trade_date"] >= "2024-01-11", "close"].min()
    assert findings.loc["btc_etf_approval_drawdown", "value"] == pytest.approx(trough / peak - 1)


def test_no_verdict_literal_outside_a_case():
    sql = MODEL_SQL.read_text().lower()
    sql = re.sub(r"--[^\n]*", "", sql)  # comments
    # every verdict is the value of a CASE (one per claim CTE) or the final cast of that column
    assigned = re.findall(r"(\S+)\s+as\s+verdict\b", sql)
    assert assigned.count("end") == len(CLAIM_IDS)
    assert all(token == "end" or token.endswith(")") for token in assigned), assigned
    assert "cast(verdict as" in sql
    outside = re.sub(r"\bcase\b.*?\bend\b", " ", sql, flags=re.DOTALL)
    for verdict in VERDICTS:
        assert f"'{verdict}'" not in outside, verdict

"""marts.fct_findings on the real warehouse: every claim present once, and each finding's test
re-run here with pandas/NumPy/SciPy on the same marts (or the raw landing files): values,
statistics, p-values and verdicts. Verdict words live only in the macro finding_verdict and
thresholds only in the seed finding_parameters."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ingest.config import REPO_ROOT

DBT = REPO_ROOT / "dbt_project"
FINDINGS_SQL = sorted((DBT / "models" / "marts" / "findings").glob("*.sql"))
PARAMETERS = pd.read_csv(DBT / "seeds" / "finding_parameters.csv", dtype=str)
CLAIM_IDS = {
    "bybit_btc_etf_outflows",
    "deepseek_nvda_selloff",
    "deepseek_nasdaq_selloff",
    "deepseek_crypto_selloff",
    "deepseek_ai_tokens",
    "deepseek_china_tech_vs_us_ai",
    "deepseek_us_ai_pullback",
    "deepseek_china_tech_rerating",
    "deepseek_oss_week_china_tech",
    "hkd_toward_strong_side",
    "btc_etf_approval_drawdown",
    "btc_etf_approval_recovery",
    "gold_near_2920",
    "dollar_strong_then_weak",
    "feb_2025_hack_losses",
}
VERDICTS = {"supported", "coincided with", "not supported", "inconclusive"}


def param(claim_id: str, name: str) -> str:
    row = PARAMETERS[(PARAMETERS["claim_id"] == claim_id) & (PARAMETERS["parameter"] == name)]
    assert len(row) == 1, (claim_id, name)
    return row["value"].iloc[0]


P_CRIT = float(param("all", "p_crit"))


def expected_verdict(claim_id: str, right_direction: bool, passes: bool) -> str:
    """The rule of macro finding_verdict, written again (data present)."""
    if not right_direction:
        return "not supported"
    if passes:
        return "coincided with" if param(claim_id, "claim_kind") == "causal" else "supported"
    return "inconclusive"


def t_p(t: float, df: float) -> float:
    return float(2 * stats.t.sf(abs(t), df))


@pytest.fixture(scope="module")
def con(built_warehouse: Path):
    connection = duckdb.connect(str(built_warehouse), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def findings(con) -> pd.DataFrame:
    return con.execute("select * from marts.fct_findings").df().set_index("claim_id")


@pytest.fixture(scope="module")
def abnormal(con) -> pd.DataFrame:
    return con.execute(
        "select study_id, event_id, asset_id, relative_day, trade_date, in_estimation_window, "
        "actual_return, benchmark_return, abnormal_return from marts.fct_abnormal_returns "
        "where study_id like 'deepseek%'"
    ).df()


def test_every_claim_once_with_its_test_in_columns(findings):
    assert set(findings.index) == CLAIM_IDS
    assert findings.index.is_unique
    assert set(findings["verdict"]) <= VERDICTS
    assert findings["value"].notna().all(), findings[findings["value"].isna()]
    for column in (
        "claim",
        "metric",
        "evidence",
        "note",
        "period_start",
        "period_end",
        "test",
        "statistic_name",
        "statistic",
        "threshold",
        "decision_rule",
    ):
        assert findings[column].notna().all(), column
    assert findings["evidence"].str.contains("marts.").all()
    # the claim is the article's claim, from the seed
    for claim_id, row in findings.iterrows():
        assert row["claim"] == param(claim_id, "claim")
    # p-values are reported exactly where a statistical test decides
    tested = findings["p_value"].notna()
    assert (findings.loc[tested, "threshold"] == P_CRIT).all()
    assert set(findings.index[tested]) == {
        c for c in CLAIM_IDS if c.startswith(("bybit", "deepseek"))
    }


# ------------------------------------------------------------------ flows


def test_bybit_flows_against_every_baseline(con, findings):
    flows = con.execute(
        "select date, publisher_total_usd as flow_usd from marts.fct_etf_flow_daily_total "
        "where product = 'BTC' and market_open order by date"
    ).df()
    flows["date"] = pd.to_datetime(flows["date"])
    day0 = flows.index[flows["date"] == pd.Timestamp("2025-02-21")][
        0
    ]  # 14:13 UTC, before the close
    f = flows["flow_usd"]

    def test(base: pd.Series, window: pd.Series, zero: bool = False) -> tuple[float, float, float]:
        n, big_l = len(window), len(base)
        mean = 0.0 if zero else base.mean()
        caf = float((window - mean).sum())
        variance = n if zero else n + n**2 / big_l
        t = caf / (base.std(ddof=1) * np.sqrt(variance))
        return caf, t, t_p(t, big_l - 1)

    main = f.iloc[day0 - 60 : day0 - 10].dropna()
    recent = f.iloc[day0 - 30 : day0 - 10].dropna()
    window = f.iloc[day0 : day0 + 6]
    caf, t, p = test(main, window)
    _, _, p_recent = test(recent, window)
    _, _, p_zero = test(main, window, zero=True)
    _, t_day0, p_day0 = test(main, f.iloc[day0 : day0 + 1])
    caf_pre, _, p_pre = test(main, f.iloc[day0 - 10 : day0])
    row = findings.loc["bybit_btc_etf_outflows"]
    assert row["value"] == pytest.approx(caf, rel=1e-9)
    assert row["statistic"] == pytest.approx(t, rel=1e-9)
    assert row["p_value"] == pytest.approx(p, rel=1e-6)
    assert f"p = {p:.4f}, {p_recent:.4f}, {p_zero:.4f}" in row["decision_rule"]
    assert f"[0, 5] {window.sum() / 1e6:.0f}m" in row["note"]
    assert f"t = {t_day0:.2f}, p = {p_day0:.4f}" in row["note"]
    # Facts of the data: the [-60, -11] baseline holds the post-election inflows (a higher mean
    # than [-30, -11]); day 0 alone is not abnormal; outflows were abnormal before the hack too.
    assert main.mean() > recent.mean() > 0
    assert p_day0 > P_CRIT and caf_pre < 0 and p_pre < P_CRIT
    passes = max(p, p_recent, p_zero) < P_CRIT
    assert row["verdict"] == expected_verdict("bybit_btc_etf_outflows", caf < 0, passes)
    assert row["verdict"] == "coincided with"
    assert pd.Timestamp(row["period_start"]) == pd.Timestamp("2025-02-21")


# ------------------------------------------------------------------ one day


def test_nvda_return_on_deepseek_day_from_raw_csv(landing_dir, findings):
    raw = pd.read_csv(landing_dir / "equities" / "yf_NVDA.csv")
    raw["day"] = raw["Date"].str[:10]
    close = raw.set_index("day")["Close"]
    expected = close["2025-01-27"] / close["2025-01-24"] - 1
    row = findings.loc["deepseek_nvda_selloff"]
    assert row["value"] == pytest.approx(expected, abs=1e-9)
    assert row["value"] < -0.15  # the biggest one-day market-value loss on record
    assert row["verdict"] == "supported"


@pytest.mark.parametrize(
    ("claim_id", "asset_id"),
    [("deepseek_nvda_selloff", "nvda"), ("deepseek_nasdaq_selloff", "ndx")],
)
def test_day0_sar_and_p_from_a_market_model_fit(abnormal, findings, claim_id, asset_id):
    rows = abnormal[
        (abnormal["study_id"] == "deepseek_us_ai_stocks")
        & (abnormal["event_id"] == "deepseek_selloff")
        & (abnormal["asset_id"] == asset_id)
    ]
    est = rows[rows["in_estimation_window"]]
    r, m = est["actual_return"].to_numpy(), est["benchmark_return"].to_numpy()
    big_l, sxx = len(r), ((m - m.mean()) ** 2).sum()
    beta = ((m - m.mean()) * (r - r.mean())).sum() / sxx
    alpha = r.mean() - beta * m.mean()
    s2 = ((r - alpha - beta * m) ** 2).sum() / (big_l - 2)
    day0 = rows[rows["relative_day"] == 0].iloc[0]
    ar = day0["actual_return"] - alpha - beta * day0["benchmark_return"]
    sar = ar / np.sqrt(s2 * (1 + 1 / big_l + (day0["benchmark_return"] - m.mean()) ** 2 / sxx))
    row = findings.loc[claim_id]
    assert row["statistic"] == pytest.approx(sar, rel=1e-9)
    assert row["p_value"] == pytest.approx(t_p(sar, big_l - 2), rel=1e-6)
    assert row["value"] == pytest.approx(day0["actual_return"], rel=1e-12)
    assert row["verdict"] == expected_verdict(claim_id, ar < 0, t_p(sar, big_l - 2) < P_CRIT)


def test_btc_and_eth_tested_as_one_portfolio(con, findings):
    prices = con.execute(
        "select trade_date, asset_id, close from marts.fct_daily_prices "
        "where asset_id in ('btc', 'eth') and trade_date between '2024-05-01' and '2025-01-27'"
    ).df()
    wide = prices.pivot(index="trade_date", columns="asset_id", values="close").sort_index()
    returns = wide / wide.shift(1) - 1
    returns.index = pd.to_datetime(returns.index)
    offset = (returns.index - pd.Timestamp("2025-01-27")).days
    portfolio = returns.mean(axis=1)
    est = portfolio[(offset >= -250) & (offset <= -11)]
    t = portfolio.loc["2025-01-27"] / est.std(ddof=1)
    row = findings.loc["deepseek_crypto_selloff"]
    assert row["statistic"] == pytest.approx(t, rel=1e-9)
    assert row["p_value"] == pytest.approx(t_p(t, len(est) - 1), rel=1e-6)
    assert row["value"] == pytest.approx(returns.loc["2025-01-27", "btc"], rel=1e-12)
    # BTC and ETH move together: not two independent pieces of evidence
    correlation = returns[(offset >= -250) & (offset <= -11)].corr().loc["btc", "eth"]
    assert correlation > 0.7
    assert f"BTC-ETH correlation = {correlation:.2f}" in row["note"]
    both_fell = (returns.loc["2025-01-27"] < 0).all()
    assert row["verdict"] == expected_verdict(
        "deepseek_crypto_selloff", both_fell, t_p(t, len(est) - 1) < P_CRIT
    )


# ------------------------------------------------------------------ portfolios


def portfolio(abnormal: pd.DataFrame, claim_id: str, leg: str) -> pd.DataFrame:
    assets = [a.strip() for a in param(claim_id, f"{leg}_assets").split(",")]
    rows = abnormal[
        (abnormal["study_id"] == param(claim_id, f"{leg}_study"))
        & (abnormal["event_id"] == param(claim_id, f"{leg}_event"))
        & abnormal["asset_id"].isin(assets)
        & abnormal["abnormal_return"].notna()
    ]
    return rows.groupby("relative_day").agg(
        p=("abnormal_return", "mean"), est=("in_estimation_window", "max")
    )


def portfolio_test(
    series: pd.Series, in_estimation_window: pd.Series, start: int, end: int
) -> tuple:
    est = series[in_estimation_window].dropna()
    window = series.loc[start:end].dropna()
    car = window.sum()
    t = car / (est.std(ddof=1) * np.sqrt(len(window)))
    return car, t, t_p(t, len(est) - 1)


PORTFOLIO_CLAIMS = [
    "deepseek_ai_tokens",
    "deepseek_us_ai_pullback",
    "deepseek_china_tech_rerating",
    "deepseek_oss_week_china_tech",
]


@pytest.mark.parametrize("claim_id", PORTFOLIO_CLAIMS)
def test_single_portfolio_claims(abnormal, findings, claim_id):
    legs = portfolio(abnormal, claim_id, "long")
    start, end = int(param(claim_id, "window_start")), int(param(claim_id, "window_end"))
    car, t, p = portfolio_test(legs["p"], legs["est"], start, end)
    row = findings.loc[claim_id]
    assert row["value"] == pytest.approx(car, rel=1e-9)
    assert row["statistic"] == pytest.approx(t, rel=1e-9)
    assert row["p_value"] == pytest.approx(p, rel=1e-6)
    sign = int(param(claim_id, "claimed_sign"))
    assert row["verdict"] == expected_verdict(claim_id, np.sign(car) == sign, p < P_CRIT)


def test_china_against_us_tests_the_spread_and_each_leg(abnormal, findings):
    claim_id = "deepseek_china_tech_vs_us_ai"
    china, us = portfolio(abnormal, claim_id, "long"), portfolio(abnormal, claim_id, "short")
    both = china.join(us, lsuffix="_china", rsuffix="_us", how="inner")
    spread = both["p_china"] - both["p_us"]
    car, t, p = portfolio_test(spread, both["est_china"] & both["est_us"], 0, 5)
    china_car, _, china_p = portfolio_test(china["p"], china["est"], 0, 5)
    us_car, _, us_p = portfolio_test(us["p"], us["est"], 0, 5)
    row = findings.loc[claim_id]
    assert row["value"] == pytest.approx(car, rel=1e-9)
    assert row["statistic"] == pytest.approx(t, rel=1e-9)
    assert row["p_value"] == pytest.approx(p, rel=1e-6)
    assert f"CAR = {china_car:.4f}" in row["note"] and f"p = {us_p:.4f}" in row["note"]
    passes = p < P_CRIT and china_car > 0 and china_p < P_CRIT and us_car < 0 and us_p < P_CRIT
    assert row["verdict"] == expected_verdict(claim_id, car > 0, passes)
    # The legs are their own rows, with the same numbers.
    assert findings.loc["deepseek_china_tech_rerating", "p_value"] == pytest.approx(china_p)
    assert findings.loc["deepseek_us_ai_pullback", "p_value"] == pytest.approx(us_p)
    # The US leg fell significantly; the China leg did not rise significantly, so the spread
    # claim is not supported as stated, whatever the spread's own t.
    assert us_car < 0 and us_p < P_CRIT and china_p > P_CRIT
    assert row["verdict"] == "inconclusive"


def test_correlated_assets_make_a_plain_z_too_large(abnormal):
    """KWEB and CQQQ correlate about 0.9: treating the China leg as independent assets
    understates its standard error, which the portfolio test does not."""
    rows = abnormal[
        (abnormal["study_id"] == "deepseek_china_tech")
        & (abnormal["event_id"] == "deepseek_selloff")
        & abnormal["in_estimation_window"]
    ]
    wide = rows.pivot_table(index="trade_date", columns="asset_id", values="abnormal_return")
    assert wide["kweb"].corr(wide["cqqq"]) > 0.85
    leg = wide[["hstech", "kweb", "cqqq"]].dropna()
    independent_sd = np.sqrt((leg.var(ddof=1) / 9).sum())  # sd of the mean if uncorrelated
    portfolio_sd = leg.mean(axis=1).std(ddof=1)
    assert portfolio_sd > 1.2 * independent_sd


# ------------------------------------------------------------------ levels


def test_btc_drawdown_high_to_low_from_the_raw_file(landing_dir, con, findings):
    sources = con.execute(
        "select distinct source_id from marts.fct_daily_prices where asset_id = 'btc' "
        "and trade_date between '2024-01-10' and '2024-02-15'"
    ).fetchall()
    assert sources == [("btc:cryptoquant_btc_usd_price_volume__daily",)]
    raw = pd.read_csv(landing_dir / "crypto_prices" / "cryptoquant_btc_usd_price_volume__daily.csv")
    raw["date"] = pd.to_datetime(raw["date"])
    peak = raw[raw["date"].between("2024-01-10", "2024-01-11")]
    trough = raw[raw["date"].between("2024-01-11", "2024-02-15")]
    high_low = trough["Low"].min() / peak["High"].max() - 1
    close_close = trough["Close"].min() / peak["Close"].max() - 1
    row = findings.loc["btc_etf_approval_drawdown"]
    assert row["value"] == pytest.approx(high_low, rel=1e-9)
    assert "high to low" in row["metric"].lower()
    assert f"{close_close:.4f}" in row["note"]
    assert high_low <= -0.20 < close_close  # the article's figure is intraday
    claimed = float(param("btc_etf_approval_drawdown", "claimed_drawdown"))
    tolerance = float(param("btc_etf_approval_drawdown", "tolerance_drawdown"))
    assert row["threshold"] == claimed
    expected = expected_verdict(
        "btc_etf_approval_drawdown", high_low <= tolerance, high_low <= claimed
    )
    assert row["verdict"] == expected == "supported"


def test_btc_recovery_from_prices(con, findings):
    btc = con.execute(
        "select trade_date, close from marts.fct_daily_prices where asset_id = 'btc' "
        "and trade_date > '2024-01-23' and trade_date <= '2024-06-30'"
    ).df()
    row = findings.loc["btc_etf_approval_recovery"]
    assert row["value"] == pytest.approx(btc["close"].max())
    level = float(param("btc_etf_approval_recovery", "level_usd"))
    assert row["verdict"] == expected_verdict(
        "btc_etf_approval_recovery", btc["close"].max() >= level, True
    )


def test_hkd_gold_and_dollar_levels(con, findings):
    hkd = con.execute(
        "select date, band_position from marts.fct_fx_daily where pair = 'USD/HKD' "
        "and date between '2025-01-01' and '2025-05-31' order by date"
    ).df()
    start, low = hkd["band_position"].iloc[0], hkd["band_position"].min()
    strong = float(param("hkd_toward_strong_side", "strong_side_position"))
    row = findings.loc["hkd_toward_strong_side"]
    assert row["value"] == pytest.approx(low - start) and row["statistic"] == pytest.approx(low)
    assert row["verdict"] == expected_verdict("hkd_toward_strong_side", low < start, low <= strong)

    gold = con.execute(
        "select close from marts.fct_daily_prices where asset_id = 'gold' "
        "and trade_date between '2025-02-24' and '2025-02-28'"
    ).df()["close"]
    distance = abs(gold.mean() / float(param("gold_near_2920", "claimed_usd")) - 1)
    row = findings.loc["gold_near_2920"]
    assert row["value"] == pytest.approx(gold.mean())
    assert row["verdict"] == expected_verdict(
        "gold_near_2920",
        distance <= float(param("gold_near_2920", "outer_tolerance")),
        distance <= float(param("gold_near_2920", "tolerance")),
    )

    dxy = con.execute(
        "select date, rate from marts.fct_fx_daily where pair = 'DXY' "
        "and date between '2024-12-01' and '2025-03-31' order by date"
    ).df()
    dxy["date"] = pd.to_datetime(dxy["date"])
    dec = dxy[dxy["date"] < "2025-01-01"]["rate"].iloc[-1]
    jan_high = dxy[dxy["date"].dt.month.eq(1) & dxy["date"].dt.year.eq(2025)]["rate"].max()
    change = dxy["rate"].iloc[-1] / jan_high - 1
    row = findings.loc["dollar_strong_then_weak"]
    assert row["value"] == pytest.approx(change)
    fall_min = float(param("dollar_strong_then_weak", "fall_min"))
    assert row["verdict"] == expected_verdict(
        "dollar_strong_then_weak", change < 0, jan_high > dec and change <= fall_min
    )


def test_feb_2025_hack_losses_rank_with_and_without_non_hacks(con, findings):
    incidents = con.execute(
        "select incident_date, amount_usd, is_hack from marts.fct_hack_incident"
    ).df()
    incidents["month"] = pd.to_datetime(incidents["incident_date"]).dt.to_period("M")

    def monthly(subset: pd.DataFrame) -> pd.Series:
        return subset.groupby("month")["amount_usd"].sum(min_count=0).fillna(0.0)

    hacks, every = monthly(incidents[incidents["is_hack"]]), monthly(incidents)
    feb = pd.Period("2025-02", "M")
    percentile = (hacks <= hacks[feb]).mean()  # cume_dist
    rank, rank_all = int((hacks > hacks[feb]).sum()) + 1, int((every > every[feb]).sum()) + 1
    row = findings.loc["feb_2025_hack_losses"]
    assert row["value"] == pytest.approx(hacks[feb], rel=1e-9)
    assert row["statistic"] == pytest.approx(percentile)
    assert f"Rank {rank} of {len(hacks)} months" in row["note"]
    assert f"rank {rank_all} of {len(every)}" in row["note"]
    assert (rank, rank_all) == (2, 7)
    minimum = float(param("feb_2025_hack_losses", "percentile_min"))
    assert row["verdict"] == expected_verdict("feb_2025_hack_losses", percentile >= minimum, True)


# ------------------------------------------------------------------ where rules live


def test_verdict_words_only_in_the_verdict_macro():
    for path in FINDINGS_SQL:
        sql = re.sub(r"--[^\n]*", "", path.read_text().lower())
        for verdict in VERDICTS:
            assert f"'{verdict}'" not in sql, (path.name, verdict)
        # every named verdict column is the macro's CASE, or fct_findings' cast of the union
        assigned = len(re.findall(r"\bas verdict\b", sql))
        made = sql.count("finding_verdict(") + sql.count("cast(verdict as")
        assert made >= assigned, path.name
    macro = (DBT / "macros" / "finding_verdict.sql").read_text()
    for verdict in VERDICTS:
        assert f"'{verdict}'" in macro


def test_thresholds_live_in_the_seed(findings):
    sql = "\n".join(re.sub(r"--[^\n]*", "", p.read_text()) for p in FINDINGS_SQL)
    for literal in ["1.96", "0.05", "0.95", "2920", "70000", "-0.2", "-0.15", "-0.02"]:
        assert not re.search(rf"(?<![\w.]){re.escape(literal)}(?![\w])", sql), literal
    assert findings.loc["gold_near_2920", "threshold"] == float(
        param("gold_near_2920", "tolerance")
    )
    assert findings.loc["hkd_toward_strong_side", "threshold"] == float(
        param("hkd_toward_strong_side", "strong_side_position")
    )
    assert findings.loc["feb_2025_hack_losses", "threshold"] == float(
        param("feb_2025_hack_losses", "percentile_min")
    )

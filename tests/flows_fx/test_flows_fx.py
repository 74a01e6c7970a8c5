"""ETF-flow and FX marts on the real warehouse (built by the real job), checked against the raw
files and an independent pandas/SciPy recomputation of the abnormal flows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats

ESTIMATION = (-60, -11)  # estimation_window of study etf_flows (config/studies.yml)


@pytest.fixture(scope="module")
def con(built_warehouse: Path):
    connection = duckdb.connect(str(built_warehouse), read_only=True)
    yield connection
    connection.close()


def _total_flow(con, product: str, date: str) -> tuple[bool, float | None]:
    return con.execute(
        "select market_open, publisher_total_usd from marts.fct_etf_flow_daily_total "
        "where product = ? and date = ?",
        [product, date],
    ).fetchone()


# --- fct_etf_flow_daily -------------------------------------------------------------------------


def test_btc_total_2025_02_25_is_stored_in_usd(con):
    assert _total_flow(con, "BTC", "2025-02-25") == (True, -1_113_700_000.0)


@pytest.mark.parametrize(
    "product,date",
    [
        ("BTC", "2024-01-15"),  # MLK day, Farside's all-empty row
        ("BTC", "2025-01-09"),  # national day of mourning (Carter)
        ("ETH", "2025-01-09"),
        ("BTC", "2025-07-04"),  # Farside omits holidays from 2025-07: added as a closed day
    ],
)
def test_holidays_are_closed_days_with_null_flow(con, product, date):
    assert _total_flow(con, product, date) == (False, None)


def test_closed_days_never_carry_a_flow_and_every_fund_has_an_issuer(con):
    assert con.execute(
        "select count(*) from marts.fct_etf_flow_daily where not market_open and flow_usd is not null"
    ).fetchone() == (0,)
    assert con.execute(
        "select count(*) from marts.fct_etf_flow_daily where issuer is null"
    ).fetchone() == (0,)
    issuers = dict(
        con.execute(
            "select distinct fund, issuer from marts.fct_etf_flow_daily "
            "where fund in ('IBIT', 'FBTC', 'GBTC', 'ETHA')"
        ).fetchall()
    )
    assert issuers == {
        "IBIT": "BlackRock",
        "FBTC": "Fidelity",
        "GBTC": "Grayscale",
        "ETHA": "BlackRock",
    }


def test_summing_fund_rows_gives_the_days_total_without_double_counting(con):
    """One grain per fact table: the obvious group-by over funds gives Farside's Total."""
    by_date = con.execute(
        "select sum(flow_usd) from marts.fct_etf_flow_daily "
        "where product = 'BTC' and date = '2025-02-25'"
    ).fetchone()[0]
    assert by_date == pytest.approx(-1_113_700_000.0, abs=0.5e6)  # not -2,227.4m
    row = con.execute(
        "select publisher_total_usd, sum_of_funds_usd, difference_usd, n_funds_reporting "
        "from marts.fct_etf_flow_daily_total where product = 'BTC' and date = '2025-02-25'"
    ).fetchone()
    assert row[0] == -1_113_700_000.0
    assert row[1] == pytest.approx(by_date)
    assert abs(row[2]) < 0.5e6
    assert row[3] >= 10
    assert con.execute(
        "select count(*) from marts.fct_etf_flow_daily where fund = 'Total'"
    ).fetchone() == (0,)


def test_open_day_totals_match_staging(con):
    diff = con.execute(
        """
        select count(*)
        from marts.fct_etf_flow_daily as mart
        inner join staging.stg_etf_flows as stg
            on mart.product = stg.product and mart.fund = stg.fund and mart.date = stg.flow_date
        where mart.flow_usd is distinct from stg.flow_usd
        """
    ).fetchone()
    assert diff == (0,)


# --- fct_event_etf_flows / windows: independent recomputation -----------------------------------


def _reference(con, event_id: str, product: str) -> dict:
    """Day 0, abnormal flows and CAF from stg_etf_flows + sessions with pandas (not the marts)."""
    event_time = con.execute(
        "select event_time_utc from marts.dim_event where event_id = ?", [event_id]
    ).fetchone()[0]
    sessions = con.execute(
        "select session_date, close_utc from staging.stg_trading_sessions "
        "where calendar = 'XNYS' order by session_date"
    ).df()
    sessions["session_date"] = pd.to_datetime(sessions["session_date"]).dt.date
    day0 = int(np.flatnonzero(sessions["close_utc"] > pd.Timestamp(event_time))[0])
    sessions["relative_day"] = np.arange(len(sessions)) - day0
    flows = con.execute(
        "select flow_date, flow_usd from staging.stg_etf_flows "
        "where product = ? and fund = 'Total' and market_open",
        [product],
    ).df()
    flows["flow_date"] = pd.to_datetime(flows["flow_date"]).dt.date
    df = sessions.merge(flows, left_on="session_date", right_on="flow_date", how="left")
    est = df[df.relative_day.between(*ESTIMATION)]["flow_usd"].dropna()
    mean, sd, n_est = est.mean(), est.std(ddof=1), len(est)
    df["abnormal"] = df["flow_usd"] - mean
    return dict(df=df.set_index("relative_day"), mean=mean, sd=sd, L=n_est)


def test_bybit_day0_is_friday_21_feb(con):
    row = con.execute(
        "select trade_date from marts.fct_event_etf_flows "
        "where event_id = 'bybit_hack' and product = 'BTC' and relative_day = 0"
    ).fetchone()
    assert row == (dt.date(2025, 2, 21),)  # hack ~14:13 UTC, before the 21:00 UTC NYSE close
    ref = _reference(con, "bybit_hack", "BTC")
    assert ref["df"].loc[0, "session_date"] == dt.date(2025, 2, 21)


def test_bybit_abnormal_flows_match_pandas(con):
    ref = _reference(con, "bybit_hack", "BTC")
    mart = (
        con.execute(
            "select relative_day, trade_date, flow_usd, abnormal_flow_usd, flow_z, "
            "cumulative_abnormal_flow_usd from marts.fct_event_etf_flows "
            "where event_id = 'bybit_hack' and product = 'BTC' order by relative_day"
        )
        .df()
        .set_index("relative_day")
    )
    assert mart.index.min() == ESTIMATION[0]
    days = list(range(-10, 11))
    expected_ar = ref["df"].loc[days, "abnormal"].to_numpy()
    np.testing.assert_allclose(mart.loc[days, "abnormal_flow_usd"], expected_ar, rtol=1e-9)
    np.testing.assert_allclose(mart.loc[days, "flow_z"], expected_ar / ref["sd"], rtol=1e-9)
    np.testing.assert_allclose(
        mart.loc[days, "cumulative_abnormal_flow_usd"], np.cumsum(expected_ar), rtol=1e-9
    )
    assert mart.loc[2, "flow_usd"] == -1_113_700_000.0  # 2025-02-25


def test_bybit_caf_0_5_is_negative_and_significant(con):
    ref = _reference(con, "bybit_hack", "BTC")
    ar = ref["df"].loc[0:5, "abnormal"].to_numpy()
    n, L, sd = len(ar), ref["L"], ref["sd"]
    caf = ar.sum()
    t = caf / (sd * np.sqrt(n + n * n / L))
    p = 2 * stats.t.sf(abs(t), L - 1)
    row = con.execute(
        "select n_days, caf_usd, t_stat, p_value, n_estimation_days "
        "from marts.fct_event_etf_flow_windows "
        "where event_id = 'bybit_hack' and product = 'BTC' and window_start = 0 and window_end = 5"
    ).fetchone()
    assert row[0] == 6 and row[4] == L == 50
    assert row[1] == pytest.approx(caf, rel=1e-9)
    assert row[2] == pytest.approx(t, rel=1e-9)
    assert row[3] == pytest.approx(p, rel=1e-6)
    # The numbers found (Farside totals, [-60, -11] estimation mean ~ +227.1M USD/day):
    assert caf < 0
    assert row[1] == pytest.approx(-4_044_560_000, abs=1e6)
    assert row[2] == pytest.approx(-3.488, abs=1e-3)
    assert row[3] < 0.01


# --- the flow study of the event-study engine ---------------------------------------------------


def test_flow_windows_mart_is_the_engines_car_of_study_etf_flows(con):
    """One engine: every complete window of fct_event_etf_flow_windows is fct_car's row of the
    study etf_flows (series btc_etf_flows / eth_etf_flows), CAF, t and p alike."""
    n_complete, n_matched, n_differ = con.execute(
        """
        select
            count(*),
            count(c.car),
            count(*) filter (
                where abs(w.caf_usd - c.car) > 1e-6
                    or abs(w.t_stat - c.car_t_stat) > 1e-12
                    or abs(w.p_value - c.car_p_value) > 1e-15
            )
        from marts.fct_event_etf_flow_windows as w
        left join marts.fct_car as c
            on c.study_id = 'etf_flows'
            and c.event_id = w.event_id
            and c.asset_id = lower(w.product) || '_etf_flows'
            and c.window_start = w.window_start
            and c.window_end = w.window_end
        where w.caf_usd is not null
        """
    ).fetchone()
    assert n_complete > 200 and n_matched == n_complete and n_differ == 0


def test_flow_day0_is_the_engines_day0_of_xnys_assets(con):
    """The flows' day 0 is the engine's: the same session as for every XNYS price asset of the
    other `anchor: next` studies of the event (SPY, QQQ, NVDA, IBIT, ...)."""
    n_compared, n_differ = con.execute(
        """
        select count(*), count(*) filter (where f.day0_date <> o.day0_date)
        from intermediate.int_es_pair_status as f
        inner join intermediate.int_es_pair_status as o
            on o.event_id = f.event_id and o.study_id <> 'etf_flows'
        inner join intermediate.int_es_assets as a
            on o.asset_id = a.asset_id and a.calendar = 'XNYS'
        inner join staging.stg_es_studies as s
            on o.study_id = s.study_id and s.anchor = 'next'
        where f.study_id = 'etf_flows' and f.day0_date is not null and o.day0_date is not null
        """
    ).fetchone()
    assert n_compared > 50 and n_differ == 0


def test_bybit_btc_etf_outflows_through_the_engine(con):
    """Bybit hack (Fri 2025-02-21 14:13 UTC): the engine's constant-mean fit of the BTC ETF flow
    series (mean of sessions [-60, -11] = +227.11M USD/day over 50 sessions) and the outflows of
    the next days as abnormal flows: -1,113.7M on Tue 2025-02-25 is 1,340.81M below normal."""
    fit = con.execute(
        "select day0_date, n_estimation_days, alpha, sigma from marts.fct_event_model_fit "
        "where study_id = 'etf_flows' and event_id = 'bybit_hack' and asset_id = 'btc_etf_flows'"
    ).fetchone()
    assert fit[0] == dt.date(2025, 2, 21) and fit[1] == 50
    assert fit[2] == pytest.approx(227_110_000, abs=1)
    ar = dict(
        con.execute(
            "select relative_day, abnormal_return from marts.fct_abnormal_returns "
            "where study_id = 'etf_flows' and event_id = 'bybit_hack' "
            "and asset_id = 'btc_etf_flows' and relative_day between 0 and 5"
        ).fetchall()
    )
    assert ar[2] == pytest.approx(-1_340_810_000, abs=1)
    assert all(ar[d] < 0 for d in range(6))  # six sessions below the normal flow
    mart = dict(
        con.execute(
            "select relative_day, abnormal_flow_usd from marts.fct_event_etf_flows "
            "where event_id = 'bybit_hack' and product = 'BTC' and relative_day between 0 and 5"
        ).fetchall()
    )
    assert mart == pytest.approx(ar, abs=1e-6)
    assert fit[3] == pytest.approx(
        con.execute(
            "select estimation_sd_flow_usd from marts.fct_event_etf_flows "
            "where event_id = 'bybit_hack' and product = 'BTC' and relative_day = 0"
        ).fetchone()[0],
        rel=1e-12,
    )


def test_etf_approval_is_outside_the_flow_data(con):
    """The SEC approval (Wed 2024-01-10 21:05 UTC, after the NYSE close) is dated before the
    first Farside flow (2024-01-11): as for any asset, the engine gives it no day 0, so the flow
    marts have no rows for it (the old flow marts put its day 0 on 2024-01-11, with no
    estimation flows)."""
    reasons = con.execute(
        "select asset_id, reason from marts.fct_event_study_exclusions "
        "where study_id = 'etf_flows' and event_id = 'spot_btc_etf_approval' order by asset_id"
    ).fetchall()
    assert reasons == [
        ("btc_etf_flows", "event outside the data"),
        ("eth_etf_flows", "event outside the data"),
    ]
    assert con.execute(
        "select count(*) from marts.fct_event_etf_flows where event_id = 'spot_btc_etf_approval'"
    ).fetchone() == (0,)


# --- fct_fx_daily -------------------------------------------------------------------------------


def _raw_usdhkd(landing_dir: Path) -> pd.Series:
    """Each UTC day's USD/HKD close: the next Yahoo bar's Open (the catalog's close_from_next_open)."""
    raw = pd.read_csv(landing_dir / "fx" / "yahoo_USDHKD=X_2016-2026.csv", sep=";", decimal=",")
    return raw.set_index("Date")["Open"].shift(-1)


@pytest.mark.parametrize("date", ["2025-05-02", "2025-05-05"])
def test_usdhkd_band_position_from_raw_file(con, landing_dir, date):
    rate = float(_raw_usdhkd(landing_dir)[date])
    band, pips, mart_rate = con.execute(
        "select band_position, pips_from_strong_side, rate from marts.fct_fx_daily "
        "where pair = 'USD/HKD' and date = ?",
        [date],
    ).fetchone()
    assert mart_rate == pytest.approx(rate, abs=1e-9)
    assert band == pytest.approx((rate - 7.75) / 0.10, abs=1e-9)
    assert pips == pytest.approx((rate - 7.75) * 10_000, abs=1e-6)
    assert 0 <= band < 0.1  # early May 2025: pressed against the 7.75 strong side


def test_fx_returns_come_from_the_last_available_rate(con, landing_dir):
    # FRED leaves 2024-01-15 (MLK day) empty: the 2024-01-16 return is against 2024-01-12.
    raw = pd.read_csv(landing_dir / "fx" / "fred_DTWEXBGS.csv").set_index("observation_date")
    expected = raw.loc["2024-01-16", "DTWEXBGS"] / raw.loc["2024-01-12", "DTWEXBGS"] - 1
    assert pd.isna(raw.loc["2024-01-15", "DTWEXBGS"])
    row = con.execute(
        "select previous_date, return from marts.fct_fx_daily "
        "where pair = 'USD broad' and date = '2024-01-16'"
    ).fetchone()
    assert row[0] == dt.date(2024, 1, 12)
    assert row[1] == pytest.approx(expected, rel=1e-9)
    assert con.execute(
        "select count(*) from marts.fct_fx_daily where pair = 'USD broad' and date = '2024-01-15'"
    ).fetchone() == (0,)
    pairs = {
        r[0]: r[1]
        for r in con.execute(
            "select pair, any_value(quote_convention) from marts.fct_fx_daily group by pair"
        ).fetchall()
    }
    assert set(pairs) == {"USD/HKD", "USD/CNY", "EUR/USD", "USD/JPY", "DXY", "USD broad"}
    assert pairs["EUR/USD"].startswith("USD per 1 EUR")

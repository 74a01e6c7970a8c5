"""The engine's conventions on real prices and calendars, from a test study config (conftest):
day 0 by anchor on 24/7, XNYS and XHKG assets, the benchmark on an asset's first session, n_days
and V_CAR with a price missing inside a window, estimation windows cut by the start of the data,
pairs sharing an estimation unit, Kolari-Pynnonen by calendar date. References: pandas/NumPy
computed here from staging sessions and the marts' own rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from tests.event_study.conftest import CONVENTION_EVENTS, connect

TOL = dict(rtol=1e-9, atol=1e-12)


@pytest.fixture(scope="module")
def con(convention_db):
    c = connect(convention_db)
    yield c
    c.close()


def day0s(con, study: str) -> dict[tuple[str, str], str]:
    rows = con.execute(
        "select event_id, asset_id, cast(day0_date as varchar) from intermediate.int_es_pair_status "
        "where study_id = ?",
        [study],
    ).fetchall()
    return {(e, a): d for e, a, d in rows}


def test_bybit_instant_and_weekend_by_anchor(con):
    nxt, prv = day0s(con, "conv_next"), day0s(con, "conv_previous")
    # Saturday 13:00 UTC: the 24/7 session in progress for both anchors; NYSE and HKEX closed:
    # next = Monday, previous = Friday
    assert nxt[("sat_1300", "btc")] == prv[("sat_1300", "btc")] == "2025-02-22"
    for asset in ("spy", "tencent"):
        assert nxt[("sat_1300", asset)] == "2025-02-24"
        assert prv[("sat_1300", asset)] == "2025-02-21"
    # Friday 14:16 UTC (Bybit): NYSE opens 14:30, so previous = Thursday, next = Friday
    assert nxt[("fri_1416", "btc")] == prv[("fri_1416", "btc")] == "2025-02-21"
    assert (nxt[("fri_1416", "spy")], prv[("fri_1416", "spy")]) == ("2025-02-21", "2025-02-20")
    assert (nxt[("fri_1416", "tencent")], prv[("fri_1416", "tencent")]) == (
        "2025-02-24",
        "2025-02-21",
    )
    # Wednesday 03:00 UTC: HKEX in progress; 15:00 UTC: NYSE in progress
    assert nxt[("wed_0300", "tencent")] == prv[("wed_0300", "tencent")] == "2025-02-19"
    assert nxt[("wed_1500", "spy")] == prv[("wed_1500", "spy")] == "2025-02-19"
    # exactly at the NYSE close the market is closed: next = Thursday, previous = Wednesday
    assert (nxt[("wed_2100", "spy")], prv[("wed_2100", "spy")]) == ("2025-02-20", "2025-02-19")


def test_next_and_previous_differ_only_when_the_market_is_closed(con):
    """Independent reference from the staging calendars: next = first close after the instant,
    previous = last open at or before it; both are the same session iff one is in progress."""
    sessions = con.execute(
        "select d.asset_id, s.session_date, s.open_utc, s.close_utc "
        "from staging.stg_trading_sessions as s "
        "join marts.dim_asset as d on d.calendar = s.calendar "
        "where d.asset_id in ('btc', 'spy', 'tencent') order by 1, 2"
    ).df()
    nxt, prv = day0s(con, "conv_next"), day0s(con, "conv_previous")
    checked = 0
    for event_id, instant in CONVENTION_EVENTS.items():
        t = pd.Timestamp(instant).tz_localize(None)
        for asset, s in sessions.groupby("asset_id"):
            ref_next = s.session_date.iloc[np.searchsorted(s.close_utc.values, t, side="right")]
            ref_prev = s.session_date.iloc[np.searchsorted(s.open_utc.values, t, side="right") - 1]
            in_progress = bool(((s.open_utc <= t) & (t < s.close_utc)).any())
            assert nxt[(event_id, asset)] == str(ref_next)[:10], (event_id, asset)
            assert prv[(event_id, asset)] == str(ref_prev)[:10], (event_id, asset)
            assert (ref_next == ref_prev) == in_progress, (event_id, asset)
            checked += 1
    assert checked == len(CONVENTION_EVENTS) * 3


def test_benchmark_return_is_null_on_an_assets_first_session(con):
    first = con.execute(
        "select r.asset_id, r.benchmark_asset_id, r.session_date, r.close, r.simple_return, "
        "r.benchmark_simple_return, r.benchmark_log_return "
        "from intermediate.int_es_pair_returns as r where r.session_idx = 1"
    ).df()
    assert {"tao", "tencent"} <= set(first.asset_id)
    assert first.close.notna().all() and first.simple_return.isna().all()
    assert first.benchmark_simple_return.isna().all() and first.benchmark_log_return.isna().all()
    tao = first[first.asset_id == "tao"].iloc[0]
    assert str(tao.session_date)[:10] == "2024-04-11" and tao.benchmark_asset_id == "btc"
    # never a benchmark return without an asset return
    orphans = con.execute(
        "select count(*) from intermediate.int_es_pair_returns "
        "where benchmark_simple_return is not null and simple_return is null"
    ).fetchone()[0]
    assert orphans == 0


def test_missing_price_inside_a_window_shortens_n_and_v_car(con):
    """Tencent 2023-09-01 (typhoon, no price): in [0, 5] from Thursday 08-31 the Monday return
    runs from Thursday's close; n_days = 5 and V_CAR uses n = 5."""
    rows = con.execute(
        "select relative_day, trade_date, actual_return, benchmark_return, abnormal_return "
        "from marts.fct_abnormal_returns where study_id = 'gaps' and event_id = 'tencent_gap' "
        "order by relative_day"
    ).df()
    fit = (
        con.execute(
            "select * from marts.fct_event_model_fit where study_id = 'gaps' "
            "and event_id = 'tencent_gap'"
        )
        .df()
        .iloc[0]
    )
    assert str(fit.day0_date)[:10] == "2023-08-31"
    window = rows[(rows.relative_day >= 0) & (rows.relative_day <= 5)]
    assert len(window) == 6 and window.abnormal_return.isna().sum() == 1
    assert str(window[window.abnormal_return.isna()].trade_date.iloc[0])[:10] == "2023-09-01"
    car = con.execute(
        "select n_days, car, car_t_stat from marts.fct_car where study_id = 'gaps' "
        "and event_id = 'tencent_gap' and window_start = 0 and window_end = 5"
    ).fetchone()
    assert car[0] == 5
    est = rows[(rows.relative_day < 0) & (rows.relative_day >= -250)].dropna()
    est = est[est.relative_day <= -11]
    m = est.benchmark_return.to_numpy()
    big_l, s2 = len(est), fit.sigma**2
    ok = window.abnormal_return.notna()
    dev = (window.benchmark_return[ok] - m.mean()).sum()
    v = s2 * (5 + 25 / big_l + dev**2 / ((m - m.mean()) ** 2).sum())
    assert big_l == fit.n_estimation_days
    np.testing.assert_allclose(car[1], window.abnormal_return[ok].sum(), **TOL)
    np.testing.assert_allclose(car[2], car[1] / np.sqrt(v), **TOL)


def test_estimation_window_cut_by_the_start_of_the_data(con):
    fit = con.execute(
        "select estimation_start_date, n_estimation_days from marts.fct_event_model_fit "
        "where study_id = 'gaps' and event_id = 'tao_early'"
    ).fetchone()
    sessions = con.execute(
        "select count(*) filter (where simple_return is not null) from "
        "intermediate.int_es_asset_sessions where asset_id = 'tao' "
        "and session_date <= date '2024-08-20' - 11"
    ).fetchone()[0]
    # the window [-250, -11] starts before TAO's first session: every priced day there counts
    assert str(fit[0])[:10] == "2024-04-12"  # the first session with a return
    assert 100 <= fit[1] == sessions < 240


def test_pairs_sharing_a_day0_share_every_number(con):
    cars = con.execute(
        "select event_id, asset_id, window_start, window_end, n_days, car, car_t_stat, bhar "
        "from marts.fct_car where study_id = 'shared_days' "
        "and event_id in ('shared_00', 'shared_01') order by all"
    ).df()
    a = cars[cars.event_id == "shared_00"].drop(columns="event_id").reset_index(drop=True)
    b = cars[cars.event_id == "shared_01"].drop(columns="event_id").reset_index(drop=True)
    assert len(a) == 15  # 5 assets x 3 windows, the same day 0 (2024-03-05) for both events
    pd.testing.assert_frame_equal(a, b)
    units = con.execute(
        "select max(n_pairs) from intermediate.int_es_window_fit where study_id = 'shared_days'"
    ).fetchone()[0]
    assert units == 2


def _kp_r(rows: pd.DataFrame, align: str) -> float:
    """Mean pairwise correlation of unit-norm centred estimation residuals, NumPy."""
    mat = rows.pivot_table(index=align, columns=["event_id", "asset_id"], values="abnormal_return")
    centred = (mat - mat.mean()).fillna(0.0)
    unit = centred / np.sqrt((centred**2).sum())
    corr = unit.T.to_numpy() @ unit.to_numpy()
    n = corr.shape[0]
    return (corr.sum() - np.trace(corr)) / (n * (n - 1))


@pytest.mark.parametrize(
    "study", ["shared_days", "shared_days_raw", "shared_days_market_adjusted", "one_date"]
)
def test_kolari_pynnonen_by_calendar_date(con, study):
    est = con.execute(
        "select event_id, asset_id, relative_day, trade_date, abnormal_return "
        "from marts.fct_abnormal_returns where study_id = ? and in_estimation_window "
        "and abnormal_return is not null",
        [study],
    ).df()
    r = _kp_r(est, "trade_date")
    engine = con.execute(
        "select mean_correlation from intermediate.int_es_residual_correlation where study_id = ?",
        [study],
    ).fetchone()[0]
    np.testing.assert_allclose(engine, r, rtol=1e-9, atol=1e-12)
    s = con.execute(
        "select n_pairs, bmp_t_stat, kp_t_stat, kp_p_value from marts.fct_event_study_summary "
        "where study_id = ? and window_start = 0 and window_end = 0",
        [study],
    ).fetchone()
    tk = s[1] * np.sqrt((1 - r) / (1 + (s[0] - 1) * r))
    np.testing.assert_allclose([s[2], s[3]], [tk, 2 * stats.t.sf(abs(tk), s[0] - 1)], **TOL)
    if study == "one_date":
        # one event date on one calendar: calendar and relative days coincide (the paper's case)
        np.testing.assert_allclose(r, _kp_r(est, "relative_day"), rtol=1e-12, atol=1e-15)
    elif study == "shared_days":
        # events on different dates: aligning by relative day would correlate unrelated days
        assert abs(r - _kp_r(est, "relative_day")) > 1e-3

"""Event-study marts against an independent NumPy/SciPy reference (real data), facts, exclusions.

The reference recomputes, from each pair's actual and benchmark returns in fct_abnormal_returns,
the model fit, AR, SAR, CAR, its t and p, BHAR and the summary statistics, with NumPy/SciPy
(not the SQL). Returns themselves are checked independently from fct_daily_prices for NVDA/SPX.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats

import warehouse_udfs
from tests.event_study.conftest import connect

TOL = dict(rtol=1e-9, atol=1e-12)
K = {"raw": 0, "mean_adjusted": 1, "market_adjusted": 0, "market_model": 2}


def ols_fit(r: np.ndarray, m: np.ndarray, model: str) -> dict:
    """Textbook fit on estimation days (MacKinlay 1997)."""
    L = len(r)
    mr, mm = r.mean(), (m.mean() if model in ("market_adjusted", "market_model") else np.nan)
    if model == "market_model":
        sxx = ((m - mm) ** 2).sum()
        b = ((m - mm) * (r - mr)).sum() / sxx
        a = mr - b * mm
        e = r - a - b * m
        r2 = ((m - mm) * (r - mr)).sum() ** 2 / (sxx * ((r - mr) ** 2).sum())
    elif model == "market_adjusted":
        a, b, sxx, e, r2 = 0.0, 1.0, np.nan, r - m, np.nan
    elif model == "mean_adjusted":
        a, b, sxx, e, r2 = mr, np.nan, np.nan, r - mr, np.nan
    else:
        a, b, sxx, e, r2 = 0.0, np.nan, np.nan, r, np.nan
    s2 = (e**2).sum() / (L - K[model])
    return dict(L=L, alpha=a, beta=b, s2=s2, sxx=sxx, mm=mm, r2=r2)


def expected(fit: dict, m: np.ndarray, model: str) -> np.ndarray:
    if model == "market_model":
        return fit["alpha"] + fit["beta"] * m
    if model == "market_adjusted":
        return m
    return np.full_like(m, fit["alpha"] if model == "mean_adjusted" else 0.0, dtype=float)


def car_stats(fit: dict, ar: np.ndarray, m: np.ndarray, model: str) -> tuple[float, float, float]:
    n, L, s2 = len(ar), fit["L"], fit["s2"]
    if model == "market_model":
        v = s2 * (n + n * n / L + ((m - fit["mm"]).sum()) ** 2 / fit["sxx"])
    elif model == "mean_adjusted":
        v = s2 * (n + n * n / L)
    else:
        v = s2 * n
    t = ar.sum() / np.sqrt(v)
    return ar.sum(), t, 2 * stats.t.sf(abs(t), L - K[model])


# ------------------------------------------------------------------------------ hand-worked


def test_hand_worked_market_model():
    # Estimation: R = [0.01, 0.02, -0.01, 0.00, 0.03], Rm = [0.00, 0.01, -0.01, 0.00, 0.02]
    r = np.array([0.01, 0.02, -0.01, 0.00, 0.03])
    m = np.array([0.00, 0.01, -0.01, 0.00, 0.02])
    fit = ols_fit(r, m, "market_model")
    # mean R = 0.01, mean Rm = 0.004; Sxx = 0.00052, Sxy = 0.0007 -> b = 1.346153846..., a = 0.004615384...
    assert fit["beta"] == pytest.approx(0.0007 / 0.00052, rel=1e-12)
    assert fit["alpha"] == pytest.approx(0.01 - 0.0007 / 0.00052 * 0.004, rel=1e-12)
    # residual SS = Syy - Sxy^2/Sxx = 0.001 - 0.00049/0.00052 * 0.001 = 0.0000576923...; s^2 = SS/3
    assert fit["s2"] == pytest.approx((0.001 - 0.0007**2 / 0.00052) / 3, rel=1e-9)
    # day 0: R = -0.05, Rm = -0.02 -> AR = -0.05 - (a + b * -0.02) = -0.0276923076...
    ar0 = -0.05 - (fit["alpha"] + fit["beta"] * -0.02)
    assert ar0 == pytest.approx(-0.027692307692307, rel=1e-9)
    v0 = fit["s2"] * (1 + 1 / 5 + (-0.02 - 0.004) ** 2 / 0.00052)
    assert v0 == pytest.approx(0.0000576923076923 / 3 * (1.2 + 0.000576 / 0.00052), rel=1e-9)
    # SQL UDFs agree with SciPy to 1e-9
    con = duckdb.connect()
    warehouse_udfs.register(con)
    t = ar0 / np.sqrt(v0)
    p_sql, pz_sql = con.execute(
        "select t_two_sided_p(?, 3.0), normal_two_sided_p(?)", [t, t]
    ).fetchone()
    assert p_sql == pytest.approx(2 * stats.t.sf(abs(t), 3), rel=1e-9)
    assert pz_sql == pytest.approx(2 * stats.norm.sf(abs(t)), rel=1e-9)


def test_udfs_match_scipy_on_a_grid():
    con = duckdb.connect()
    warehouse_udfs.register(con)
    ts = np.linspace(-40, 40, 401)
    for df in (1.0, 2.5, 10.0, 238.0, 1e6):
        rows = con.execute(
            "select t_two_sided_p(x, ?) from unnest(?::double[]) as u(x)", [df, list(ts)]
        ).fetchall()
        got = np.array([row[0] for row in rows])
        np.testing.assert_allclose(got, 2 * stats.t.sf(np.abs(ts), df), rtol=1e-9, atol=1e-300)
    assert con.execute("select t_two_sided_p(null, 5), normal_two_sided_p(null)").fetchone() == (
        None,
        None,
    )


def test_wilcoxon_udf_matches_scipy():
    """Exact (N <= 50, no ties or zeros), permutation (N <= 13 with ties or zeros) and normal
    branches, repeated values (counts) as ties, against scipy.stats.wilcoxon's defaults."""
    con = duckdb.connect()
    warehouse_udfs.register(con)

    def p_of(values, counts=None) -> float:
        return con.execute(
            "select wilcoxon_two_sided_p(?::double[], ?::bigint[])", [list(values), counts]
        ).fetchone()[0]

    # hand-worked: five positive values, no ties: W+ = 15 is the largest of 2^5 outcomes
    assert p_of([1.0, 2.0, 3.0, 4.0, 5.0]) == pytest.approx(2 / 32, abs=1e-15)
    rng = np.random.default_rng(12)
    cases = []
    for n in [*range(1, 16), 20, 30, 49, 50, 51, 60, 200]:
        x = rng.normal(0.3, 1.0, n)
        cases += [x, np.abs(x)]
        # ties and zeros: SciPy enumerates all 2^n signs up to n = 13 (a second at n = 13), so
        # every size up to 7, the branch's edge (zeros, tied) and sizes past it
        if n <= 7 or n in (14, 20, 60):
            cases += [np.round(x, 1), np.r_[0.0, 0.0, x[2:]]]
        elif n == 13:
            cases += [np.r_[0.0, 0.0, x[2:]]]
    for x in cases:
        if not np.any(x != 0):
            continue
        np.testing.assert_allclose(p_of(map(float, x)), stats.wilcoxon(x).pvalue, rtol=1e-9)
    # counts repeat values: the same as the expanded list
    values, counts = [0.5, -1.5, 2.0, 3.5, -0.25], [2, 1, 3, 1, 4]
    np.testing.assert_allclose(
        p_of(values, counts), stats.wilcoxon(np.repeat(values, counts)).pvalue, rtol=1e-9
    )
    assert p_of([0.0, 0.0]) is None


# ------------------------------------------------------------------------------ real data


@pytest.fixture(scope="module")
def con(event_study_db):
    """The session's freshly built warehouse; EVENT_STUDY_TEST_DB=<file> reuses a built one."""
    c = connect(event_study_db)
    yield c
    c.close()


@pytest.fixture(scope="module")
def convention_con(convention_db):
    """The warehouse rebuilt with the test studies (conftest): units of several pairs."""
    c = connect(convention_db)
    yield c
    c.close()


def q(con, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


def test_bybit_day0_per_calendar(con):
    day0 = q(
        con,
        "select asset_id, day0_date from marts.fct_event_model_fit "
        "where study_id = 'bybit_hack_markets' and event_id = 'bybit_hack'",
    )
    got = dict(zip(day0.asset_id, day0.day0_date.astype(str).str[:10], strict=True))
    for asset in ("btc", "eth", "spy", "nvda", "coin"):
        assert got[asset] == "2025-02-21", asset
    for asset in ("tencent", "hsi", "hstech"):
        assert got[asset] == "2025-02-24", asset


def test_nvda_deepseek_abnormal_return_strongly_negative(con):
    row = q(
        con,
        "select abnormal_return, standardized_abnormal_return from marts.fct_abnormal_returns "
        "where study_id = 'deepseek_us_ai_stocks' and event_id = 'deepseek_selloff' "
        "and asset_id = 'nvda' and trade_date = date '2025-01-27'",
    )
    assert len(row) == 1
    assert row.abnormal_return[0] < -0.10
    assert row.standardized_abnormal_return[0] < -4


def test_returns_independent_from_prices(con):
    """NVDA and SPX simple returns on XNYS sessions, from fct_daily_prices with pandas."""
    px = q(
        con,
        "select asset_id, trade_date, close from marts.fct_daily_prices "
        "where asset_id in ('nvda', 'spx') and is_session order by trade_date",
    )
    wide = px.pivot(index="trade_date", columns="asset_id", values="close")
    ret = wide.ffill().pct_change()
    ret = ret[wide["nvda"].notna()]
    ar = q(
        con,
        "select trade_date, actual_return, benchmark_return from marts.fct_abnormal_returns "
        "where study_id = 'deepseek_us_ai_stocks' and event_id = 'deepseek_selloff' "
        "and asset_id = 'nvda' order by trade_date",
    ).set_index("trade_date")
    ref = ret.reindex(ar.index)
    np.testing.assert_allclose(ar.actual_return, ref["nvda"], **TOL)
    np.testing.assert_allclose(ar.benchmark_return, ref["spx"], **TOL)


def test_every_mart_column_against_reference(con):
    ars = q(
        con,
        "select * from marts.fct_abnormal_returns order by study_id, event_id, asset_id, relative_day",
    )
    fits = q(con, "select * from marts.fct_event_model_fit").set_index(
        ["study_id", "event_id", "asset_id"]
    )
    cars = q(con, "select * from marts.fct_car").set_index(
        ["study_id", "event_id", "asset_id", "window_start", "window_end"]
    )
    studies = q(con, "select study_id, return_type from staging.stg_es_studies").set_index(
        "study_id"
    )
    assert len(fits) > 100
    for key, g in ars.groupby(["study_id", "event_id", "asset_id"]):
        f = fits.loc[key]
        model = f.model
        est = g[g.in_estimation_window & g.actual_return.notna()]
        if model in ("market_adjusted", "market_model"):
            est = est[est.benchmark_return.notna()]
        m_est = est.benchmark_return.to_numpy(dtype=float)
        fit = ols_fit(est.actual_return.to_numpy(dtype=float), m_est, model)
        assert f.n_estimation_days == fit["L"]
        assert str(f.estimation_start_date)[:10] == str(est.trade_date.min())[:10]
        assert str(f.estimation_end_date)[:10] == str(est.trade_date.max())[:10]
        np.testing.assert_allclose(f.alpha, fit["alpha"], **TOL)
        if not np.isnan(fit["beta"]):
            np.testing.assert_allclose(f.beta, fit["beta"], **TOL)
        np.testing.assert_allclose(f.sigma, np.sqrt(fit["s2"]), **TOL)
        if model == "market_model":
            np.testing.assert_allclose(f.r_squared, fit["r2"], **TOL)
        ok = g.actual_return.notna()
        mm = g.benchmark_return.to_numpy(dtype=float)
        exp_ = expected(fit, mm, model)
        np.testing.assert_allclose(g.expected_return[ok], exp_[ok.to_numpy()], **TOL)
        ar = g.actual_return.to_numpy(dtype=float) - exp_
        np.testing.assert_allclose(g.abnormal_return[ok], ar[ok.to_numpy()], **TOL)
        v = np.full(len(g), fit["s2"])
        ev = ~g.in_estimation_window.to_numpy()
        if model == "mean_adjusted":
            v[ev] = fit["s2"] * (1 + 1 / fit["L"])
        elif model == "market_model":
            v[ev] = fit["s2"] * (1 + 1 / fit["L"] + (mm[ev] - fit["mm"]) ** 2 / fit["sxx"])
        np.testing.assert_allclose(
            g.standardized_abnormal_return[ok], (ar / np.sqrt(v))[ok.to_numpy()], **TOL
        )
        rel = g.relative_day.to_numpy()
        for (ws, we), c in cars.loc[key].groupby(level=[0, 1]):
            sel = ev & (rel >= ws) & (rel <= we) & ok.to_numpy()
            car, t, p = car_stats(fit, ar[sel], mm[sel], model)
            c = c.iloc[0]
            assert c.n_days == sel.sum()
            np.testing.assert_allclose(
                [c.car, c.car_t_stat, c.car_p_value], [car, t, p], rtol=1e-9, atol=1e-15
            )
            R, E = g.actual_return.to_numpy()[sel], exp_[sel]
            if studies.loc[key[0], "return_type"] == "log":
                bhar = np.exp(R.sum()) - np.exp(E.sum())
            elif studies.loc[key[0], "return_type"] == "level":
                bhar = np.nan  # a level (ETF flows in USD) has nothing to compound
            else:
                bhar = np.prod(1 + R) - np.prod(1 + E)
            np.testing.assert_allclose(c.bhar, bhar, **TOL)


def check_summary(con) -> int:
    """Every summary statistic from the pairs' rows (fct_car, fct_abnormal_returns), NumPy/SciPy."""
    ars = q(con, "select * from marts.fct_abnormal_returns where abnormal_return is not null")
    cars = q(con, "select * from marts.fct_car")
    fits = q(
        con,
        "select f.*, s.n_model_params from marts.fct_event_model_fit f "
        "join staging.stg_es_studies s using (study_id)",
    )
    summ = q(con, "select * from marts.fct_event_study_summary")
    for _, s in summ.iterrows():
        c = cars[
            (cars.study_id == s.study_id)
            & (cars.window_start == s.window_start)
            & (cars.window_end == s.window_end)
        ]
        c = c.merge(fits, on=["study_id", "event_id", "asset_id"])
        n = len(c)
        x = c.car.to_numpy()
        assert s.n_pairs == n
        np.testing.assert_allclose(s.caar, x.mean(), **TOL)
        a = ars[ars.study_id == s.study_id]
        if n >= 2:
            t = x.mean() / (x.std(ddof=1) / np.sqrt(n))
            np.testing.assert_allclose(
                [s.cs_t_stat, s.cs_p_value], [t, 2 * stats.t.sf(abs(t), n - 1)], **TOL
            )
            sc = c.car_t_stat.to_numpy()
            tb = sc.mean() / (sc.std(ddof=1) / np.sqrt(n))
            np.testing.assert_allclose(
                [s.bmp_t_stat, s.bmp_p_value], [tb, 2 * stats.t.sf(abs(tb), n - 1)], **TOL
            )
            # Kolari-Pynnonen: residuals aligned by CALENDAR date, pairwise correlations of the
            # pairs' centred, unit-norm residuals (zero on dates a pair does not have)
            est = a[a.in_estimation_window]
            mat = est.pivot_table(
                index="trade_date", columns=["event_id", "asset_id"], values="abnormal_return"
            )
            centred = (mat - mat.mean()).fillna(0.0)
            unit = centred / np.sqrt((centred**2).sum())
            corr = unit.T.to_numpy() @ unit.to_numpy()
            npairs = corr.shape[0]
            r = (corr.sum() - np.trace(corr)) / (npairs * (npairs - 1))
            tk = tb * np.sqrt((1 - r) / (1 + (n - 1) * r))
            np.testing.assert_allclose(
                [s.kp_t_stat, s.kp_p_value], [tk, 2 * stats.t.sf(abs(tk), n - 1)], **TOL
            )
        # Patell
        dfk = (c.n_estimation_days - c.n_model_params).to_numpy(dtype=float)
        z = c.car_t_stat.sum() / np.sqrt((dfk / (dfk - 2)).sum())
        np.testing.assert_allclose(
            [s.patell_z, s.patell_p_value], [z, 2 * stats.norm.sf(abs(z))], **TOL
        )
        # Brown-Warner
        aar = a[a.in_estimation_window].groupby("relative_day").abnormal_return.mean()
        nw = s.window_end - s.window_start + 1
        tbw = x.mean() / (np.sqrt(nw) * aar.std(ddof=1))
        np.testing.assert_allclose(
            [s.bw_t_stat, s.bw_p_value], [tbw, 2 * stats.t.sf(abs(tbw), len(aar) - 1)], **TOL
        )
        # generalised sign
        p = (a[a.in_estimation_window].abnormal_return > 0).mean()
        w = (x > 0).sum()
        zg = (w - n * p) / np.sqrt(n * p * (1 - p))
        np.testing.assert_allclose(
            [s.gen_sign_z, s.gen_sign_p_value], [zg, 2 * stats.norm.sf(abs(zg))], **TOL
        )
        # Corrado rank
        a2 = a.copy()
        a2["rank"] = a2.groupby(["event_id", "asset_id"]).abnormal_return.rank(method="average")
        a2["M"] = a2.groupby(["event_id", "asset_id"]).abnormal_return.transform("count")
        a2["U"] = a2["rank"] / (a2["M"] + 1) - 0.5
        day = a2.groupby("relative_day").U.agg(lambda u: u.sum() / np.sqrt(len(u)))
        su = np.sqrt((day**2).mean())
        zday = day / su
        inw = zday[(zday.index >= s.window_start) & (zday.index <= s.window_end)]
        zr = inw.sum() / np.sqrt(len(inw))
        np.testing.assert_allclose(
            [s.rank_z, s.rank_p_value], [zr, 2 * stats.norm.sf(abs(zr))], **TOL
        )
        # Wilcoxon signed-rank: SciPy's statistic (two-sided: min(W+, W-)) and p-value (exact
        # for N <= 50 without ties or zeros, permutation for N <= 13 with them, else normal)
        if np.any(x != 0):
            ref = stats.wilcoxon(x)
            np.testing.assert_allclose(s.wilcoxon_stat, ref.statistic, rtol=1e-12, atol=1e-9)
            np.testing.assert_allclose(s.wilcoxon_p_value, ref.pvalue, rtol=1e-9, atol=1e-300)
    return len(summ)


def test_summary_against_reference(con):
    assert check_summary(con) > 10


def test_summary_with_units_of_several_pairs(convention_con):
    """Pairs sharing an estimation unit are weighted by it (and tie in the Wilcoxon ranks)."""
    shared = convention_con.execute(
        "select count(*) from intermediate.int_es_window_fit where n_pairs > 1 and reason is null"
    ).fetchone()[0]
    assert shared > 0
    assert check_summary(convention_con) >= 10


def test_wilcoxon_exact_for_a_small_study(con):
    """hacks_crypto [0, 5]: N <= 50 CARs without ties, so the p-value is the exact one."""
    x = q(
        con,
        "select car from marts.fct_car where study_id = 'hacks_crypto' "
        "and window_start = 0 and window_end = 5",
    ).car.to_numpy()
    s = q(
        con,
        "select wilcoxon_stat, wilcoxon_p_value from marts.fct_event_study_summary "
        "where study_id = 'hacks_crypto' and window_start = 0 and window_end = 5",
    ).iloc[0]
    assert 2 <= len(x) <= 50 and len(np.unique(np.abs(x))) == len(x) and np.all(x != 0)
    exact = stats.wilcoxon(x, method="exact")
    approx = stats.wilcoxon(x, method="asymptotic", correction=False)
    np.testing.assert_allclose(s.wilcoxon_p_value, exact.pvalue, rtol=1e-9)
    assert s.wilcoxon_stat == exact.statistic
    assert abs(exact.pvalue - approx.pvalue) > 1e-9  # the approximation would differ


def test_exclusions_and_reasons(con):
    exc = q(con, "select * from marts.fct_event_study_exclusions")
    reasons = set(exc.reason)
    # btc as its own benchmark in the crypto/AI-token study; hacks before the data start
    assert (
        (exc.study_id == "deepseek_crypto_ai_tokens")
        & (exc.asset_id == "btc")
        & (exc.reason == "asset is its own benchmark")
    ).any()
    assert "event outside the data" in reasons
    assert "too few estimation days" in reasons
    # nothing silently dropped: every candidate pair is either in the fit or excluded
    pairs = q(con, "select count(*) n from intermediate.int_es_pairs").n[0]
    fitted = q(con, "select count(*) n from marts.fct_event_model_fit").n[0]
    excluded = q(
        con, "select count(*) n from marts.fct_event_study_exclusions where asset_id is not null"
    ).n[0]
    assert pairs == fitted + excluded


def test_overlaps_flag_open_source_week(con):
    ov = q(
        con,
        "select * from marts.fct_event_overlaps where study_id = 'deepseek_china_tech' "
        "and event_id = 'deepseek_oss_day1' and asset_id = 'tencent'",
    )
    assert {"deepseek_oss_day2", "deepseek_oss_day3"} <= set(ov.overlapping_event_id)
    assert set(ov[ov.overlapping_event_id == "deepseek_oss_day2"].window_kind) == {"event"}

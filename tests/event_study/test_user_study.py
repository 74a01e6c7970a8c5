"""The README's no-code path: own prices (generic CSV), own event, own study -> marts.

The build is the session's user_catalog_build (tests/conftest.py): "ACME" is NVIDIA's real close
history written as a plain date;close CSV with decimal commas in the user's own folder."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest


@pytest.mark.e2e
def test_user_prices_event_and_study_need_no_code(user_catalog_build: Path) -> None:
    with duckdb.connect(str(user_catalog_build), read_only=True) as con:
        day0 = con.execute(
            "select trade_date::varchar, abnormal_return from marts.fct_abnormal_returns "
            "where study_id = 'acme_shock' and asset_id = 'acme' and relative_day = 0"
        ).fetchone()
        fit = con.execute(
            "select benchmark_asset_id, n_estimation_days from marts.fct_event_model_fit "
            "where study_id = 'acme_shock'"
        ).fetchone()
        cars = con.execute(
            "select window_start, window_end, car from marts.fct_car "
            "where study_id = 'acme_shock' order by 1, 2"
        ).fetchall()
        studies = [r[0] for r in con.execute("select study_id from marts.fct_car").fetchall()]
    assert day0[0] == "2025-01-27"
    assert day0[1] < -0.10  # NVIDIA's DeepSeek day, about -13% abnormal against the S&P 500
    assert fit == ("spx", 240)
    assert [(c[0], c[1]) for c in cars] == [(-1, 1), (0, 0)]
    assert cars[1][2] == pytest.approx(day0[1], abs=1e-12)
    assert set(studies) == {"acme_shock"}  # the user's studies replace the shipped ones

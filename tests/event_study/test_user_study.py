"""The README's no-code path: own prices (generic CSV), own event, own study -> marts."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.e2e_support import build_warehouse


@pytest.mark.e2e
def test_user_prices_event_and_study_need_no_code(landing_dir: Path, tmp_path: Path) -> None:
    # "ACME" is NVIDIA's real close history written as a plain date,close CSV with ';' and ','.
    nvda = pd.read_csv(landing_dir / "equities/adjclose_NVDA.csv").iloc[:-1]
    mine = tmp_path / "landing" / "mine"
    mine.mkdir(parents=True)
    (mine / "acme.csv").write_text(
        "date;close\n"
        + "".join(
            f"{d};{str(round(c, 6)).replace('.', ',')}\n"
            for d, c in zip(nvda.Date, nvda.Close, strict=True)
        )
    )
    spx_csv = (landing_dir / "equities/wsj_SPX.csv").read_bytes()
    (tmp_path / "landing" / "equities").mkdir()
    (tmp_path / "landing" / "equities" / "wsj_SPX.csv").write_bytes(spx_csv)
    catalog = tmp_path / "series.yml"
    catalog.write_text(
        """
- {id: spx, name: S&P 500, asset_class: index, calendar: XNYS, landing: {path: equities/wsj_SPX.csv, format: wsj_csv}}
- id: acme
  name: ACME Corp
  asset_class: equity
  calendar: XNYS
  currency: USD
  benchmark: spx
  landing: {path: mine/acme.csv, format: csv, date_column: date, value_column: close, delimiter: ';', decimal: ','}
"""
    )
    events = tmp_path / "events.csv"
    events.write_text(
        "event_id,event_name,event_type,event_time,asset_id,amount_usd,source_url,notes\n"
        "acme_shock,ACME shock,corporate,2025-01-27,acme,,https://example.com/acme,\n"
    )
    studies = tmp_path / "studies.yml"
    studies.write_text(
        """
- id: acme_shock
  events: [acme_shock]
  assets: [event]
  model: market_model
  returns: simple
  estimation_window: [-250, -11]
  event_windows: [[-1, 1], [0, 0]]
  anchor: next
  min_estimation_days: 100
"""
    )
    db = tmp_path / "warehouse.duckdb"
    result = build_warehouse(
        db,
        tmp_path / "landing",
        series_file=catalog,
        extra_env={"EVENTS_FILE": str(events), "STUDIES_FILE": str(studies)},
    )
    assert result.success, result.failures
    with duckdb.connect(str(db), read_only=True) as con:
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
    assert day0[0] == "2025-01-27"
    assert day0[1] < -0.10  # NVIDIA's DeepSeek day, about -13% abnormal against the S&P 500
    assert fit == ("spx", 240)
    assert [(c[0], c[1]) for c in cars] == [(-1, 1), (0, 0)]
    assert cars[1][2] == pytest.approx(day0[1], abs=1e-12)

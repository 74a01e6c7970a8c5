"""Facts about the dbt models, checked on a warehouse built from the real landing folder.

``built_warehouse`` (tests/conftest.py) is the path of a DuckDB file holding raw.* and every
dbt model built by ``dbt build``; these tests only read it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def con(built_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(built_warehouse), read_only=True)
    try:
        yield connection
    finally:
        connection.close()


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    row = con.execute(sql, params or []).fetchone()
    return None if row is None else row[0]


# ----------------------------------------------------------------------------- layout


def test_models_land_in_exact_schemas(con):
    schemas = {
        s
        for (s,) in con.execute(
            "select distinct table_schema from information_schema.tables"
        ).fetchall()
    }
    assert {"raw", "staging", "intermediate", "marts"} <= schemas
    assert not {s for s in schemas if s.startswith("main_")}, schemas
    for schema, model in [
        ("staging", "stg_daily_bars"),
        ("staging", "stg_etf_flows"),
        ("intermediate", "int_daily_bars"),
        ("intermediate", "int_series_daily_prices"),
        ("intermediate", "int_source_agreement"),
        ("marts", "dim_asset"),
        ("marts", "fct_daily_prices"),
        ("marts", "fct_source_agreement"),
    ]:
        assert scalar(
            con,
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, model],
        ), f"{schema}.{model} missing"


# ----------------------------------------------------------------------------- ETF flows


def test_etf_flow_is_usd_not_millions(con):
    flow = scalar(
        con,
        """
        select flow_usd from staging.stg_etf_flows
        where product = 'BTC' and fund = 'Total' and flow_date = date '2025-02-25'
        """,
    )
    assert flow == -1_113_700_000


def test_etf_flow_holiday_is_marked_closed_not_zero(con):
    rows = con.execute(
        """
        select fund, market_open, flow_usd, row_all_empty from staging.stg_etf_flows
        where product = 'BTC' and flow_date = date '2024-01-15'
        """
    ).fetchall()
    assert rows, "Farside's MLK-day row (2024-01-15) should be present, marked closed"
    total = [r for r in rows if r[0] == "Total"]
    assert total and total[0][1] is False and total[0][2] is None
    assert all(market_open is False and flow is None for _, market_open, flow, _ in rows)


def test_etf_flows_closed_days_never_carry_a_flow(con):
    assert (
        scalar(
            con,
            "select count(*) from staging.stg_etf_flows where not market_open and flow_usd is not null",
        )
        == 0
    )


# ----------------------------------------------------------------------------- calendars


def test_no_nyse_session_on_carter_day_of_mourning(con):
    assert (
        scalar(
            con,
            """
            select count(*) from staging.stg_trading_sessions
            where calendar = 'XNYS' and session_date = date '2025-01-09'
            """,
        )
        == 0
    )
    # ...while the days around it are sessions (the calendar is loaded, not empty).
    assert (
        scalar(
            con,
            """
            select count(*) from staging.stg_trading_sessions
            where calendar = 'XNYS' and session_date in (date '2025-01-08', date '2025-01-10')
            """,
        )
        == 2
    )


def test_no_hkex_sessions_over_lunar_new_year(con):
    assert (
        scalar(
            con,
            """
            select count(*) from staging.stg_trading_sessions
            where calendar = 'XHKG' and session_date between date '2025-01-29' and date '2025-01-31'
            """,
        )
        == 0
    )
    half_day = con.execute(
        """
        select is_early_close from staging.stg_trading_sessions
        where calendar = 'XHKG' and session_date = date '2025-01-28'
        """
    ).fetchone()
    assert half_day == (True,)


def test_session_date_is_a_date(con):
    assert (
        scalar(
            con,
            """
            select data_type from information_schema.columns
            where table_schema = 'staging' and table_name = 'stg_trading_sessions'
                and column_name = 'session_date'
            """,
        )
        == "DATE"
    )


# ----------------------------------------------------------------------------- daily bars


def test_vix_holiday_bar_kept_and_flagged(con):
    rows = con.execute(
        """
        select bar_date, is_session from intermediate.int_daily_bars
        where series_id = 'vix' and bar_date between date '2025-01-08' and date '2025-01-10'
        order by bar_date
        """
    ).fetchall()
    assert (dt.date(2025, 1, 9), False) in rows
    assert (dt.date(2025, 1, 8), True) in rows and (dt.date(2025, 1, 10), True) in rows


def test_crypto_bars_are_always_sessions(con):
    assert (
        scalar(
            con,
            """
            select count(*) from intermediate.int_daily_bars
            where calendar = '24/7' and not coalesce(is_session, false)
            """,
        )
        == 0
    )


def test_staged_bars_keep_the_source_convention(con):
    """stg_daily_bars only types and deduplicates: int_daily_bars has one row per staged bar, and
    a bar differs from its staged copy only where the catalog flags its source invert=true."""
    row = con.execute(
        """
        select
            (select count(*) from staging.stg_daily_bars),
            count(*),
            count(*) filter (where not i.is_inverted and i.close is distinct from s.close),
            count(*) filter (where i.is_inverted and abs(i.close * s.close - 1) > 1e-12)
        from intermediate.int_daily_bars as i
        inner join staging.stg_daily_bars as s using (source_id, bar_date)
        """
    ).fetchone()
    staged, joined, changed_plain, bad_inverted = row
    assert staged == joined > 300_000
    assert (changed_plain, bad_inverted) == (0, 0)


def test_daily_bars_unique_per_source_and_day(con):
    assert (
        scalar(
            con,
            """
            select count(*) from (
                select source_id, bar_date from staging.stg_daily_bars
                group by 1, 2 having count(*) > 1
            )
            """,
        )
        == 0
    )


# ----------------------------------------------------------------------------- source agreement


def test_nvda_yfinance_and_adjclose_agree(con):
    row = con.execute(
        """
        select overlap_days, max_abs_rel_close_diff from intermediate.int_source_agreement
        where series_id = 'nvda'
            and (
                (reference_source_id like 'nvda:yf%' and compared_source_id like 'nvda:adjclose%')
                or (reference_source_id like 'nvda:adjclose%' and compared_source_id like 'nvda:yf%')
            )
        """
    ).fetchone()
    assert row is not None, "no NVDA yfinance vs adjclose pair"
    overlap_days, max_diff = row
    assert overlap_days > 1000
    assert max_diff < 1e-5


def test_dxy_stitched_parts_overlap(con):
    row = con.execute(
        """
        select first_overlap_date, last_overlap_date, overlap_days, max_abs_rel_close_diff
        from intermediate.int_source_agreement
        where series_id = 'dxy' and pair_kind = 'stitched_primary_parts'
        """
    ).fetchone()
    assert row is not None, "no stitched DXY pair"
    first, last, days, max_diff = row
    assert (first, last) == (dt.date(2025, 7, 16), dt.date(2025, 8, 12))
    assert days >= 15
    assert max_diff < 0.01


def test_dxy_is_stitched_in_daily_prices(con):
    """One DXY close per day across both files: the older file before the overlap, the newer
    file from the overlap on (lower precedence number wins)."""
    rows = dict(
        con.execute(
            """
            select trade_date, source_id from marts.fct_daily_prices
            where asset_id = 'dxy'
                and trade_date in (date '2025-07-01', date '2025-07-16', date '2025-12-01')
            """
        ).fetchall()
    )
    assert rows[dt.date(2025, 7, 1)].endswith("1971-2025-08-12")
    assert rows[dt.date(2025, 7, 16)].endswith("2025-07-16-2026-02-23")
    assert rows[dt.date(2025, 12, 1)].endswith("2025-07-16-2026-02-23")
    assert (
        scalar(
            con,
            """
            select count(*) from (
                select trade_date from marts.fct_daily_prices where asset_id = 'dxy'
                group by 1 having count(*) > 1
            )
            """,
        )
        == 0
    )


# ----------------------------------------------------------------------------- hacks

HACK_MODELS = [
    ("stg_hacks_defillama", "name", "amount_usd"),
    ("stg_hacks_slowmist", "name", "loss_usd"),
    ("stg_hacks_defi_rekt", "name", "funds_lost_usd"),
    ("stg_hacks_blocksec", "project", "loss_usd"),
    ("stg_hacks_rekt_news", "title", "amount_usd"),
]


@pytest.mark.parametrize(("model", "name_column", "amount_column"), HACK_MODELS)
def test_bybit_hack_in_every_hack_model(con, model, name_column, amount_column):
    if not scalar(con, f"select count(*) from staging.{model}"):
        pytest.skip(f"staging.{model} is empty (its source was not loaded)")
    amount = scalar(
        con,
        f"""
        select max({amount_column}) from staging.{model}
        where {name_column} ilike '%bybit%' and incident_date = date '2025-02-21'
        """,
    )
    assert amount is not None, f"no Bybit 2025-02-21 row in staging.{model}"
    assert amount >= 1.4e9


def test_blocksec_instants_are_utc(con):
    first_tx = scalar(
        con,
        "select first_tx_time_utc from staging.stg_hacks_blocksec where project ilike '%bybit%'",
    )
    # Earliest Bybit attack transaction: unix ms 1740147215000 = 2025-02-21 14:13:35 UTC.
    assert first_tx == dt.datetime(2025, 2, 21, 14, 13, 35)


def test_defi_rekt_keeps_dated_exploits_only(con):
    assert (
        scalar(
            con,
            """
            select count(*) from staging.stg_hacks_defi_rekt
            where scam_parent not like 'Exploit/%' or incident_date is null
            """,
        )
        == 0
    )
    assert scalar(con, "select count(*) from raw.hacks_defi_rekt") > scalar(
        con, "select count(*) from staging.stg_hacks_defi_rekt"
    )


def test_slowmist_unknown_loss_is_null_not_zero(con):
    assert scalar(con, "select count(*) from staging.stg_hacks_slowmist where loss_usd = 0") == 0
    assert (
        scalar(
            con,
            """
            select count(*) from staging.stg_hacks_slowmist
            where loss_usd_reported = 0 and loss_usd is null
            """,
        )
        > 0
    )


def test_slowmist_keeps_one_report_per_incident(con):
    """FarmEOS 2019-01-15: raw keeps both reports (row key with reference_url), staging the
    first line only (the declared staging_key), so hack_id stays unique."""
    where = "where name = 'FarmEOS' and incident_date = date '2019-01-15'"
    raw = con.execute(
        f"select source_line, reference_url from raw.hacks_slowmist {where} order by source_line"
    ).fetchall()
    assert [line for line, _ in raw] == [1981, 1982] and raw[0][1] != raw[1][1]
    staged = con.execute(
        f"select source_line, reference_url from staging.stg_hacks_slowmist {where}"
    ).fetchall()
    assert staged == [raw[0]]


# ----------------------------------------------------------------------------- marts


def test_dim_asset_covers_price_series_with_known_benchmarks(con):
    ids = {a for (a,) in con.execute("select asset_id from marts.dim_asset").fetchall()}
    assert {"nvda", "btc", "usdhkd", "dxy", "vix", "hsi"} <= ids
    assert not {"btc_etf_flows", "hacks_defillama", "fomc_dates"} & ids
    dangling = scalar(
        con,
        """
        select count(*) from marts.dim_asset
        where benchmark_asset_id is not null
            and benchmark_asset_id not in (select asset_id from marts.dim_asset)
        """,
    )
    assert dangling == 0

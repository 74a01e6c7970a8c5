"""Reconciled hack incidents (marts.fct_hack_incident and friends) on the real warehouse.

Named cases: Bybit 2025-02-21 is one incident found in all five sources; Infini 2025-02-24 is
a separate incident; no incident ever holds two records of the same source.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

SOURCES = {"defillama", "slowmist", "defi_rekt", "blocksec", "rekt_news"}


@pytest.fixture(scope="module")
def con(built_warehouse):
    c = duckdb.connect(str(built_warehouse), read_only=True)
    yield c
    c.close()


def one(con, sql: str, params: list | None = None):
    return con.execute(sql, params or []).fetchone()


def test_bybit_is_one_incident_in_all_five_sources(con):
    rows = con.execute(
        """
        select incident_id, n_sources, sources, amount_usd, incident_time_utc,
            amount_defillama_usd, amount_slowmist_usd, amount_defi_rekt_usd,
            amount_blocksec_usd, amount_rekt_news_usd, tx_hashes
        from marts.fct_hack_incident
        where incident_date = date '2025-02-21' and lower(name) = 'bybit'
        """
    ).fetchall()
    assert len(rows) == 1, rows
    (_, n_sources, sources, amount, time_utc, *per_source, tx_hashes) = rows[0]
    assert n_sources == 5
    assert set(sources) == SOURCES
    assert amount >= 1.4e9
    assert time_utc == dt.datetime(2025, 2, 21, 14, 13, 35)
    assert all(a is not None and a >= 1.4e9 for a in per_source), per_source
    assert tx_hashes and all(h.startswith("0x") for h in tx_hashes)
    # No other incident that day or the next carries a Bybit record.
    others = one(
        con,
        """
        select count(*) from marts.fct_hack_incident
        where incident_date between date '2025-02-20' and date '2025-02-22'
            and lower(name) like '%bybit%'
        """,
    )[0]
    assert others == 1


def test_infini_is_separate_from_bybit(con):
    infini = con.execute(
        """
        select incident_id, n_sources, amount_usd, source_record_ids
        from marts.fct_hack_incident
        where incident_date = date '2025-02-24' and lower(name) = 'infini'
        """
    ).fetchall()
    assert len(infini) == 1
    incident_id, n_sources, amount, record_ids = infini[0]
    assert n_sources >= 2
    assert 4e7 <= amount <= 6e7
    bybit_id = one(
        con,
        """
        select incident_id from marts.fct_hack_incident
        where incident_date = date '2025-02-21' and lower(name) = 'bybit'
        """,
    )[0]
    assert incident_id != bybit_id
    names = con.execute(
        """
        select distinct lower(r.name)
        from intermediate.int_hack_source_records as r
        where list_contains(?, r.source || ':' || r.source_record_id)
        """,
        [record_ids],
    ).fetchall()
    assert names == [("infini",)]


def test_no_incident_has_two_records_of_one_source(con):
    dupes = one(
        con,
        """
        select count(*) from (
            select incident_key, source
            from intermediate.int_hack_matches
            group by incident_key, source
            having count(*) > 1
        )
        """,
    )[0]
    assert dupes == 0
    bad = one(
        con,
        """
        select count(*) from marts.fct_hack_incident
        where len(sources) <> len(list_distinct(sources)) or len(sources) <> n_sources
        """,
    )[0]
    assert bad == 0


def test_every_source_record_lands_in_exactly_one_incident(con):
    n_records, n_matched = one(
        con,
        """
        select
            (select count(*) from intermediate.int_hack_source_records),
            (select sum(n_sources) from marts.fct_hack_incident)
        """,
    )
    assert n_records == n_matched
    # Unmatched records are kept: every source still contributes single-source incidents.
    singles = {
        r[0]
        for r in con.execute(
            "select distinct sources[1] from marts.fct_hack_incident where n_sources = 1"
        ).fetchall()
    }
    assert singles == SOURCES


def test_reconciliation_share_is_computed(con):
    report = dict(
        con.execute(
            """
            select metric, value from marts.fct_hack_reconciliation_report
            where source = 'all'
            """
        ).fetchall()
    )
    share = report["share_large_incidents_multi_source"]
    recomputed = one(
        con,
        """
        select avg(case when n_sources >= 2 then 1.0 else 0.0 end)
        from marts.fct_hack_incident
        where amount_usd >= 1e7
        """,
    )[0]
    assert 0 < share < 1
    assert share == pytest.approx(recomputed, abs=1e-12)
    # Value on the landing data of 2026-05 (about 65% of incidents >= $10M in 2+ sources,
    # SlowMist's frauds left out).
    assert share == pytest.approx(0.647, abs=0.02)
    assert 0 < report["share_large_incidents_multi_source_since_2023"] < 1
    assert report["n_incidents_all_five_sources"] >= 1
    per_source = con.execute(
        """
        select source, value from marts.fct_hack_reconciliation_report
        where metric = 'share_records_matched'
        """
    ).fetchall()
    assert {s for s, _ in per_source} == SOURCES
    assert all(0 < v <= 1 for _, v in per_source)


def test_monthly_losses_add_up(con):
    feb = one(
        con,
        """
        select loss_usd, n_incidents from marts.fct_hack_monthly
        where month = date '2025-02-01'
        """,
    )
    direct = one(
        con,
        """
        select coalesce(sum(amount_usd), 0), count(*) from marts.fct_hack_incident
        where incident_date >= date '2025-02-01' and incident_date < date '2025-03-01'
        """,
    )
    assert feb == pytest.approx(direct)
    assert feb[0] >= 1.4e9  # Bybit dominates February 2025
    mismatched = one(
        con,
        """
        with detail as (
            select month, sum(loss_usd) as loss_usd, sum(n_incidents) as n_incidents
            from marts.fct_hack_monthly_by_technique
            group by month
        )
        select count(*)
        from detail
        full join marts.fct_hack_monthly as total
            on detail.month = total.month
        where detail.month is null or total.month is null
            or abs(detail.loss_usd - total.loss_usd) > 1e-3
            or detail.n_incidents <> total.n_incidents
        """,
    )[0]
    assert mismatched == 0


def test_frauds_are_not_hack_incidents(con) -> None:
    """SlowMist lists scams, Ponzi schemes and rug pulls; they stay out of the incidents."""
    frauds = one(
        con,
        """
        select count(*) from marts.fct_hack_incident
        where list_contains(sources, 'slowmist') and n_sources = 1
            and lower(technique) in ('scam', 'ponzi', 'rug pull', 'exit scam')
        """,
    )[0]
    assert frauds == 0
    names = {r[0] for r in con.execute("select name from marts.fct_hack_incident").fetchall()}
    assert not {"Wirecard", "OneCoin", "BitConnect", "LIBRA"} & names
    # ... while SlowMist's staging keeps them (nothing is lost, only classified).
    kept = one(
        con,
        "select count(*) from staging.stg_hacks_slowmist where name in ('Wirecard', 'OneCoin')",
    )[0]
    assert kept == 2

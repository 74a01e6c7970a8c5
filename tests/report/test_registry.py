"""The report reads claim ids from the claim registry (seed finding_parameters), not its own copy."""

from __future__ import annotations

import csv

import duckdb

from report.build import REGISTRY_SEED, finding_param


def _seed_value(claim_id: str, parameter: str) -> str:
    with REGISTRY_SEED.open(newline="", encoding="utf-8") as seed:
        rows = [
            r
            for r in csv.DictReader(seed)
            if (r["claim_id"], r["parameter"]) == (claim_id, parameter)
        ]
    assert len(rows) == 1
    return rows[0]["value"]


def test_without_the_seed_table_the_csv_seed_answers() -> None:
    # The published copy has no schema main: the seed's CSV is read.
    con = duckdb.connect()
    assert finding_param(con, "bybit_btc_etf_outflows", "event_id") == _seed_value(
        "bybit_btc_etf_outflows", "event_id"
    )
    assert finding_param(con, "bybit_btc_etf_outflows", "no_such_parameter") is None


def test_the_warehouse_copy_of_the_seed_wins() -> None:
    con = duckdb.connect()
    con.execute(
        "create table main.finding_parameters as "
        "select 'bybit_btc_etf_outflows' as claim_id, 'event_id' as parameter, 'other_hack' as value"
    )
    assert finding_param(con, "bybit_btc_etf_outflows", "event_id") == "other_hack"
    assert finding_param(con, "bybit_btc_etf_outflows", "product") is None

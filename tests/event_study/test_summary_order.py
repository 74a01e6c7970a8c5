"""fct_event_study_summary does not depend on the order its input rows come in: DuckDB does not
promise the row order of a join or an aggregate, even on one thread (two builds of the same
inputs stored int_es_unit_cars in two orders, and the summary's CAARs and t-statistics differed
in the 16th digit). Its sums of doubles are taken in a fixed order (macro in_order), so the
summary rebuilt over int_es_unit_cars stored in the reverse order is the same to the last bit."""

from __future__ import annotations

from pathlib import Path

import duckdb

from bench.es_compare_engines import copy_warehouse, run_dbt
from ingest.config import REPO_ROOT

SUMMARY = "marts.fct_event_study_summary"


def test_the_summary_is_the_same_to_the_last_bit_whatever_the_order_of_its_rows(
    event_study_db: Path, tmp_path: Path
) -> None:
    db = copy_warehouse(event_study_db, tmp_path / "reordered")
    with duckdb.connect(str(db)) as con:
        before = con.execute(f"select * from {SUMMARY} order by all").fetchall()
        stored = con.execute(
            "select window_id from intermediate.int_es_unit_cars limit 1"
        ).fetchone()[0]
        # the same rows, stored in the reverse order
        con.execute(
            "create or replace table intermediate.int_es_unit_cars as "
            "select * from intermediate.int_es_unit_cars order by window_id desc, window_start desc"
        )
        first = con.execute(
            "select window_id from intermediate.int_es_unit_cars limit 1"
        ).fetchone()[0]
    assert first != stored, "the rows were not reordered"
    run_dbt(REPO_ROOT, db, tmp_path / "dbt", ["fct_event_study_summary"])
    with duckdb.connect(str(db), read_only=True) as con:
        after = con.execute(f"select * from {SUMMARY} order by all").fetchall()
    # the real studies: Bybit's day-0 CAAR among them (markets fell that Friday)
    bybit = [row for row in before if row[0] == "bybit_hack_markets" and row[1:3] == (0, 0)]
    assert len(bybit) == 1 and bybit[0][4] < 0
    assert len(after) == len(before) == 32
    # every figure equal, not close: NaN-free rows compared as tuples of the same doubles
    assert after == before

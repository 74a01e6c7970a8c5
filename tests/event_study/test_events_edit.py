"""An edit of the events alone keeps every (study, asset) series and its estimation-window sums:
what a study can pair comes from its asset list and the catalog (int_es_study_asset_setup), not
from the events, so `make study` and `make run` rebuild the pairs, fits and marts downstream of
raw.events and reuse the sums, the chain's costliest step. Checked on the test studies of
conftest (real prices and calendars): the rebuild of what descends from raw.events equals a
rebuild of every event-study model (exact, doubles to 1e-12: the project's standard for equal
builds), and a study of `event` assets has a series for every asset an event could name."""

from __future__ import annotations

from pathlib import Path

import duckdb

from bench.es_compare_engines import (
    EVENT_STUDY_MODELS,
    copy_warehouse,
    load_config,
    run_dbt,
)
from ingest.config import REPO_ROOT
from publishing.build_state import table_fingerprints, unaffected_nodes
from tests.event_study.conftest import STUDIES, connect, events_csv
from tests.warehouse_compare import differences

MANIFEST = REPO_ROOT / "dbt_project" / "target" / "manifest.json"
KEPT_BY_AN_EVENTS_EDIT = {
    "int_es_study_asset_setup",
    "int_es_series",
    "int_es_pair_returns",
    "int_es_estimation_sums_even",
    "int_es_estimation_sums_odd",
}


def test_an_events_edit_leaves_the_series_and_their_sums() -> None:
    events_edit = set(unaffected_nodes(MANIFEST, ["events"]))
    assert events_edit >= KEPT_BY_AN_EVENTS_EDIT
    assert {"int_es_pairs", "int_es_window_fit", "int_es_day_sums_even", "fct_car"}.isdisjoint(
        events_edit
    )
    # a study's assets or model decide its series: an edit of the studies rebuilds them
    for table in ("studies", "study_assets"):
        assert KEPT_BY_AN_EVENTS_EDIT.isdisjoint(unaffected_nodes(MANIFEST, [table]))


def test_an_event_study_of_event_assets_has_a_series_per_asset(convention_db: Path) -> None:
    con = connect(convention_db)
    try:
        paired = {r[0] for r in con.execute(
            "select distinct asset_id from intermediate.int_es_pairs "
            "where study_id = 'gaps' and series_id is not null"
        ).fetchall()}  # fmt: skip
        series = {r[0] for r in con.execute(
            "select asset_id from intermediate.int_es_series where study_id = 'gaps'"
        ).fetchall()}  # fmt: skip
        problems = dict(con.execute(
            "select asset_id, setup_problem from intermediate.int_es_study_asset_setup "
            "where study_id = 'gaps' and setup_problem is not null"
        ).fetchall())  # fmt: skip
    finally:
        con.close()
    # its two events name Tencent and TAO; any asset could be the next event's
    assert paired == {"tencent", "tao"}
    assert {"tencent", "tao", "btc", "nvda", "eth"} <= series
    # the market model needs a benchmark: the S&P 500 index has none, nor has a flow series
    assert problems["spx"] == problems["btc_etf_flows"] == "no benchmark"
    assert not series & set(problems)


def _fingerprints(db: Path) -> dict[str, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return table_fingerprints(con)


def test_rebuilding_what_an_events_edit_reaches_equals_a_full_rebuild(
    convention_db: Path, tmp_path: Path
) -> None:
    # the edit: TAO's event removed (its series stays), a shared-date event added
    lines = [line for line in events_csv().splitlines() if not line.startswith("tao_early,")]
    lines.append("shared_new,shared new,shared,2024-10-02T15:00:00Z,,,,")
    events = tmp_path / "events.csv"
    events.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # the studies file the fixture loaded, as it was (its path is in raw.studies.origin)
    studies = convention_db.parent.parent / "studies.yml"
    assert studies.read_text(encoding="utf-8") == STUDIES

    incremental = copy_warehouse(convention_db, tmp_path / "incremental")
    before = _fingerprints(incremental)
    load_config(incremental, events, studies)
    after = _fingerprints(incremental)
    assert [table for table in after if after[table] != before.get(table)] == ["events"]
    run_dbt(REPO_ROOT, incremental, tmp_path / "incremental", ["source:raw.events+"])
    full = copy_warehouse(convention_db, tmp_path / "full")
    load_config(full, events, studies)
    # every event-study model, and what else reads the events (the flow marts, the findings)
    run_dbt(REPO_ROOT, full, tmp_path / "full", [*EVENT_STUDY_MODELS, "source:raw.events+"])

    # the project's standard for equal builds: exact, doubles to 1e-12
    compared = differences(incremental, full)
    assert "intermediate.int_es_estimation_sums_even" in compared
    assert {table: rows for table, rows in compared.items() if rows} == {}
    # the edit reached the marts: TAO's pair is gone, the new event's pairs are there
    with duckdb.connect(str(incremental), read_only=True) as con:
        cars = dict(con.execute(
            "select event_id, count(distinct asset_id) from marts.fct_car "
            "where event_id in ('tao_early', 'shared_new') group by 1"
        ).fetchall())  # fmt: skip
    assert cars == {"shared_new": 5}  # btc, eth, spy, qqq, nvda

"""The published read copy and its Parquet exports: complete, documented, swapped atomically.

The session's real build (fixture ``built_warehouse``) publishes through the Dagster asset; the
tests of the swap itself publish private copies of that build again, with readers holding the
old copy in other processes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import duckdb
import pytest
import yaml

from ingest.config import REPO_ROOT
from publishing import copying
from publishing import publish as publish_module
from publishing.exports import ExportBuild, builds_dir
from publishing.publish import (
    PUBLISHED_INTERMEDIATE,
    PUBLISHED_SCHEMAS,
    current_build,
    plan_copy,
    publish,
)
from publishing.served_views import ServedViewError, plan_views
from tests.processes import new_reader_build_id

pytestmark = pytest.mark.e2e

BYBIT_DAY_AFTER = "2025-02-25"  # Farside BTC Total: -1,113.7 $M


def _relations(db: Path, schemas: tuple[str, ...]) -> dict[str, int]:
    """Rows of every table and view of ``db`` in ``schemas``, by schema.name."""
    with duckdb.connect(str(db), read_only=True) as con:
        names = con.execute(
            "select schema_name || '.' || table_name from duckdb_tables() "
            f"where schema_name in ({', '.join(repr(s) for s in schemas)}) union all "
            "select schema_name || '.' || view_name from duckdb_views() "
            f"where not internal and schema_name in ({', '.join(repr(s) for s in schemas)})"
        ).fetchall()
        return {n: con.execute(f"select count(*) from {n}").fetchone()[0] for (n,) in names}


def _published(db: Path) -> dict[str, int]:
    """What the copy publishes for readers: not the internal tables and views that
    marts.fct_abnormal_returns is computed from (intermediate.int_es_*)."""
    return {
        key: rows
        for key, rows in _relations(db, PUBLISHED_SCHEMAS).items()
        if not key.startswith("intermediate.") or key.split(".")[1] in PUBLISHED_INTERMEDIATE
    }


# What the copy keeps of the engine for its view marts.fct_abnormal_returns (served_views.py):
# the pairs' status and day rows as views, over the tables of units, sessions and relative days.
SERVED_VIEW_TABLES = {
    "intermediate.int_es_pair_day0",
    "intermediate.int_es_window_fit",
    "intermediate.int_es_study_days",
    "intermediate.int_es_estimation_sums_even",
    "intermediate.int_es_estimation_sums_odd",
}
SERVED_VIEWS = {
    "marts.fct_abnormal_returns",
    "intermediate.int_es_pair_status",
    "intermediate.int_es_window_rows",
    "intermediate.int_es_estimation_sums",
}


def test_the_copy_holds_every_mart_staging_and_raw_table_as_built(
    built_warehouse: Path, serving_db: Path
) -> None:
    published = _published(serving_db)
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        private = {
            f"{s}.{n}": con.execute(f'select count(*) from "{s}"."{n}"').fetchone()[0]
            for s, n in con.execute(
                "select schema_name, table_name from duckdb_tables() "
                "where schema_name in ('marts', 'raw', 'intermediate') union all "
                "select schema_name, view_name from duckdb_views() "
                "where schema_name in ('staging', 'marts', 'intermediate') and not internal"
            ).fetchall()
            if s != "intermediate" or n in PUBLISHED_INTERMEDIATE
        }
        plan = plan_views(con)
    assert published == private
    assert "marts.fct_etf_flow_daily_total" in published
    assert set(plan.tables) == SERVED_VIEW_TABLES
    assert {v.key for v in plan.views} == SERVED_VIEWS
    intermediate = set(_relations(serving_db, ("intermediate",)))
    assert intermediate == {"intermediate.int_daily_bars"} | (SERVED_VIEWS | SERVED_VIEW_TABLES) - {
        "marts.fct_abnormal_returns"
    }, "the rest of intermediate is private"
    with duckdb.connect(str(serving_db), read_only=True) as con:
        # Views (staging) became tables, but the pairs x days one, a view over the tables it reads
        # copied beside it: the copy stands alone, whatever name a client opens it under.
        views = con.execute(
            "select schema_name || '.' || view_name from duckdb_views() where not internal"
        ).fetchall()
        assert {v for (v,) in views} == SERVED_VIEWS
        total = con.execute(
            "select publisher_total_usd from marts.fct_etf_flow_daily_total "
            "where product = 'BTC' and date = ?",
            [BYBIT_DAY_AFTER],
        ).fetchone()
        assert total == (-1_113_700_000.0,)
        # Readable by every DuckDB 1.x client (BI drivers): written in the v1.0 storage format.
        tags = con.execute(
            "select tags from duckdb_databases() where database_name = current_database()"
        ).fetchone()[0]
        assert tags["storage_version"].startswith("v1.0.0")


def test_the_abnormal_returns_view_of_the_copy_is_the_warehouses_row_for_row(
    built_warehouse: Path, serving_db: Path
) -> None:
    """The copy's marts.fct_abnormal_returns (a view there too) read under another name, beside
    the warehouse whose tables have the same schema and names: every row the warehouse's, and
    nothing read from the warehouse (its references are the copy's own)."""
    con = duckdb.connect()
    con.execute(f"attach '{built_warehouse}' as warehouse (read_only)")
    con.execute(f"attach '{serving_db}' as served (read_only)")
    con.execute("use warehouse")  # unqualified names resolve here, but for the copy's views
    served = "served.marts.fct_abnormal_returns"
    private = "warehouse.marts.fct_abnormal_returns"
    rows = con.execute(f"select count(*) from {served}").fetchone()[0]
    assert rows == con.execute(f"select count(*) from {private}").fetchone()[0] > 50_000
    for left, right in ((served, private), (private, served)):
        assert con.execute(
            f"select count(*) from (select * from {left} except all select * from {right})"
        ).fetchone() == (0,)
    # NVDA on the DeepSeek sell-off (Monday 2025-01-27): -16.97 % against a market model
    nvda = con.execute(
        f"select actual_return, abnormal_return from {served} "
        "where study_id = 'deepseek_us_ai_stocks' and event_id = 'deepseek_selloff' "
        "and asset_id = 'nvda' and trade_date = '2025-01-27' and relative_day = 0"
    ).fetchone()
    assert nvda == pytest.approx((-0.16968, -0.13213), abs=5e-5)
    comment = con.execute(
        "select comment from duckdb_views() "
        "where database_name = 'served' and view_name = 'fct_abnormal_returns'"
    ).fetchone()[0]
    assert comment, "the view carries dbt's description"


def test_the_bars_in_the_catalogs_terms_are_published(serving_db: Path) -> None:
    """calendar, is_session and is_inverted left staging.stg_daily_bars for int_daily_bars: a
    reader of the copy finds them there, described, and stg_daily_bars' description says so."""
    moved = ("calendar", "is_session", "is_inverted")
    with duckdb.connect(str(serving_db), read_only=True) as con:
        holders = con.execute(
            "select schema_name || '.' || table_name from duckdb_columns() "
            "where column_name in (?, ?, ?) group by 1 having count(*) = 3",
            list(moved),
        ).fetchall()
        assert ("intermediate.int_daily_bars",) in holders
        comments = dict(
            con.execute(
                "select column_name, comment from duckdb_columns() "
                "where schema_name = 'intermediate' and table_name = 'int_daily_bars'"
            ).fetchall()
        )
        assert all(comments[column] for column in moved)
        staging_comment = con.execute(
            "select comment from duckdb_tables() "
            "where schema_name = 'staging' and table_name = 'stg_daily_bars'"
        ).fetchone()[0]
        assert "intermediate.int_daily_bars" in staging_comment
        bars = con.execute("select count(*) from intermediate.int_daily_bars").fetchone()[0]
        assert bars == con.execute("select count(*) from staging.stg_daily_bars").fetchone()[0]
        # VIX on 2025-01-09 (US markets closed for the national day of mourning): kept, marked.
        assert con.execute(
            "select calendar, is_session, is_inverted from intermediate.int_daily_bars "
            "where series_id = 'vix' and bar_date = '2025-01-09'"
        ).fetchall() == [("XNYS", False, False)]


def test_build_info_says_which_build_readers_see(serving_db: Path) -> None:
    assert serving_db.stat().st_mode & 0o777 == 0o444  # readers' copy: read-only on disk too
    info = current_build(serving_db)
    assert info is not None
    assert info["build_id"] and info["run_id"]
    assert info["build_id"].endswith(info["run_id"][:8])
    assert info["total_rows"] == sum(_published(serving_db).values())


def test_descriptions_travel_as_comments(serving_db: Path) -> None:
    spec = yaml.safe_load(
        (REPO_ROOT / "dbt_project/models/marts/flows/fct_etf_flow_daily_total.yml").read_text()
    )["models"][0]
    expected = {c["name"]: c["description"].strip() for c in spec["columns"]}
    with duckdb.connect(str(serving_db), read_only=True) as con:
        comments = dict(
            con.execute(
                "select column_name, comment from duckdb_columns() "
                "where schema_name = 'marts' and table_name = 'fct_etf_flow_daily_total'"
            ).fetchall()
        )
        table_comment = con.execute(
            "select comment from duckdb_tables() where table_name = 'fct_etf_flow_daily_total'"
        ).fetchone()[0]
        raw_close = con.execute(
            "select comment from duckdb_columns() "
            "where schema_name = 'raw' and table_name = 'daily_bars' and column_name = 'close'"
        ).fetchone()[0]
    assert {k: (v or "").strip() for k, v in comments.items()} == expected
    assert table_comment.startswith("Grain: one row per US trading date and product")
    assert raw_close, "raw tables carry their dbt source descriptions"


def test_every_published_table_is_exported_to_parquet(built_warehouse: Path, serving_db: Path):
    export_dir = built_warehouse.parent / "exports"
    assert export_dir.is_symlink(), "EXPORT_DIR is swapped as a whole, by one rename"
    published = _published(serving_db)
    exported = {
        f"{p.parent.name}.{p.stem}": duckdb.sql(f"select count(*) from '{p}'").fetchone()[0]
        for p in export_dir.glob("*/*.parquet")
    }
    assert exported == published
    flows = duckdb.sql(
        f"select sum(flow_usd) from '{export_dir}/marts/fct_etf_flow_daily.parquet' "
        f"where product = 'BTC' and date = '{BYBIT_DAY_AFTER}'"
    ).fetchone()[0]
    assert flows == pytest.approx(-1_113_700_000.0, abs=0.5e6)


def test_the_largest_relations_are_handed_out_first(built_warehouse: Path) -> None:
    """The two connections of a publish take the copies and Parquet files largest first: the
    pairs x days view's Parquet file first (computed as it is written; the copy keeps it a
    view), then the other views, then the tables by estimated rows (the bars: one row per series
    and day), so the last task is a small one. The tables that view reads are copied, not
    exported."""
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        plan = plan_copy(con)
    tasks = [(t.action, t.relation.key) for t in plan.tasks]
    assert tasks[0] == ("export", "marts.fct_abnormal_returns")
    every = [(action, r.key) for r in plan.published for action in ("copy", "export")]
    every.remove(("copy", "marts.fct_abnormal_returns"))
    assert sorted(tasks) == sorted(every + [("copy", key) for key in SERVED_VIEW_TABLES])
    kinds = [t.relation.is_view for t in plan.tasks]
    assert kinds == sorted(kinds, reverse=True), "every view before every table"
    tables = [t.relation for t in plan.tasks if not t.relation.is_view and t.action == "copy"]
    assert [r.estimated_rows for r in tables] == sorted(
        (r.estimated_rows for r in tables), reverse=True
    )
    assert {tables[0].key, tables[1].key} == {"raw.daily_bars", "intermediate.int_daily_bars"}
    assert tables[0].estimated_rows > 300_000  # a row per bar of 56 series


@pytest.fixture
def private_copy(built_warehouse: Path, tmp_path: Path) -> Path:
    """A private copy of the build, named like the original (dbt's views name their catalog)."""
    target = tmp_path / "private" / built_warehouse.name
    target.parent.mkdir()
    shutil.copy(built_warehouse, target)
    return target


def test_a_long_publish_says_what_it_is_on(
    private_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every PROGRESS_EVERY_SECONDS (5 s; here 0.05 s, as a publish of thousands of events'
    abnormal returns takes minutes) a line: tasks done of all, and what each connection is on."""
    monkeypatch.setattr(copying, "PROGRESS_EVERY_SECONDS", 0.05)
    lines: list[str] = []
    done = publish(private_copy, tmp_path / "s.duckdb", tmp_path / "e", "eeee", lines.append)
    assert lines, "a publish of the whole build takes longer than 0.05 s"
    # a copy and a Parquet file per relation, but the served view's copy, and a copy of each
    # table it reads
    tasks = 2 * done.tables - 1 + len(SERVED_VIEW_TABLES)
    counts = [int(re.match(rf"publishing: (\d+) of {tasks} copies", line)[1]) for line in lines]
    assert counts == sorted(counts) and counts[-1] <= tasks
    on = {m[1] for line in lines for m in re.finditer(r"(?:copying|exporting) (\S+?)(?:,|$)", line)}
    copied = set(done.row_counts) | SERVED_VIEW_TABLES
    assert on and on <= copied, f"names only what the copy holds: {on}"


def test_a_served_view_that_cannot_be_carried_over_is_published_as_a_table(
    private_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    """The publish does not fail on a view SQL it cannot rewrite: readers get the rows, as a
    table, and the log says why."""

    def unreadable(con, keys=()):
        raise ServedViewError("marts.fct_abnormal_returns: unexpected view definition (injected)")

    monkeypatch.setattr(publish_module, "plan_views", unreadable)
    done = publish(private_copy, tmp_path / "s.duckdb", tmp_path / "e", "ffffffff-table")
    assert "published as a table instead of a view" in caplog.text
    with duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True) as con:
        assert con.execute(
            "select count(*) from duckdb_tables() where table_name = 'fct_abnormal_returns'"
        ).fetchone() == (1,)
        assert con.execute("select count(*) from duckdb_views() where not internal").fetchone() == (
            0,
        )
        rows = con.execute("select count(*) from marts.fct_abnormal_returns").fetchone()[0]
    assert rows == done.row_counts["marts.fct_abnormal_returns"] > 50_000


HOLDER = textwrap.dedent(
    """
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    query = "select build_id from meta.build_info"
    print(con.execute(query).fetchone()[0], flush=True)
    sys.stdin.readline()  # the test publishes a new build meanwhile
    print(con.execute(query).fetchone()[0], flush=True)
    print(con.execute("select count(*) from marts.fct_car").fetchone()[0], flush=True)
    """
)


def test_a_reader_holding_the_old_copy_keeps_it_and_new_readers_see_the_new_one(
    private_copy: Path, tmp_path: Path
) -> None:
    serving, exports = tmp_path / "serving" / "warehouse.duckdb", tmp_path / "exports"
    first = publish(private_copy, serving, exports, run_id="aaaaaaaa-first")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(serving)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == first.build_id
        old_export = (exports / "marts" / "fct_car.parquet").resolve()
        second = publish(private_copy, serving, exports, run_id="bbbbbbbb-second")
        assert second.build_id != first.build_id
        out, err = holder.communicate("go\n", timeout=60)
    finally:
        holder.kill()
    assert holder.returncode == 0, err
    still_old, car_rows = out.split()
    assert still_old == first.build_id  # the open reader kept its complete build
    assert int(car_rows) == first.row_counts["marts.fct_car"]
    assert new_reader_build_id(serving) == second.build_id  # a new reader sees the new build
    # The previous Parquet build stays for readers in the middle of a file.
    assert old_export.is_file()
    assert (exports / "marts" / "fct_car.parquet").resolve() != old_export
    assert not list(serving.parent.glob(".*.tmp")), "no staged copy left behind"


@pytest.mark.parametrize("failing_step", ["copy", "export"])
def test_a_failed_publish_leaves_the_last_good_copy_in_place(
    private_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing_step: str
) -> None:
    """A table that cannot be copied, or a Parquet file that cannot be written (they are
    written beside the copy, from the same snapshot): readers keep the last good copy and
    exports either way."""
    serving, exports = tmp_path / "serving" / "warehouse.duckdb", tmp_path / "exports"
    good = publish(private_copy, serving, exports, run_id="cccccccc-good")
    inode, link = os.stat(serving).st_ino, os.readlink(exports)
    real_copy, real_export = copying.copy_relation, ExportBuild.write_table
    calls: list[str] = []
    lock = threading.Lock()  # two connections copy and export at once

    def fifth_call_breaks(name: str) -> None:
        with lock:
            calls.append(name)
            if len(calls) == 5:
                raise OSError("disk full (injected)")

    def copy_then_break(con, relation, docs):
        fifth_call_breaks(relation.name)
        return real_copy(con, relation, docs)

    def export_then_break(self, con, relation, schema, table):
        fifth_call_breaks(table)
        return real_export(self, con, relation, schema, table)

    if failing_step == "copy":
        monkeypatch.setattr(copying, "copy_relation", copy_then_break)
    else:
        monkeypatch.setattr(ExportBuild, "write_table", export_then_break)
    with pytest.raises(OSError, match="injected"):
        publish(private_copy, serving, exports, run_id="dddddddd-broken")
    assert os.stat(serving).st_ino == inode
    assert current_build(serving)["build_id"] == good.build_id
    assert os.readlink(exports) == link
    assert not list(serving.parent.glob(".*.tmp"))
    assert [p.name for p in builds_dir(exports).iterdir()] == [good.build_id]

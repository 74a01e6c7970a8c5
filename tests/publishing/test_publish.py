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
from publishing.copying import ordered_tasks
from publishing.exports import ExportBuild, builds_dir
from publishing.publish import (
    PUBLISHED_INTERMEDIATE,
    PUBLISHED_SCHEMAS,
    current_build,
    publish,
    published_relations,
)
from tests.processes import new_reader_build_id

pytestmark = pytest.mark.e2e

BYBIT_DAY_AFTER = "2025-02-25"  # Farside BTC Total: -1,113.7 $M


@pytest.fixture(scope="module")
def serving_db(built_warehouse: Path) -> Path:
    path = built_warehouse.parent / "serving" / "warehouse.duckdb"
    assert path.is_file(), "the build did not publish a read copy"
    return path


def _tables(db: Path, schemas: tuple[str, ...]) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        names = con.execute(
            "select schema_name || '.' || table_name from duckdb_tables() "
            f"where schema_name in ({', '.join(repr(s) for s in schemas)})"
        ).fetchall()
        return {n: con.execute(f"select count(*) from {n}").fetchone()[0] for (n,) in names}


def test_the_copy_holds_every_mart_staging_and_raw_table_as_built(
    built_warehouse: Path, serving_db: Path
) -> None:
    published = _tables(serving_db, PUBLISHED_SCHEMAS)
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
    assert published == private
    assert "marts.fct_etf_flow_daily_total" in published
    intermediate = set(_tables(serving_db, ("intermediate",)))
    assert intermediate == {"intermediate.int_daily_bars"}, "the rest of intermediate is private"
    with duckdb.connect(str(serving_db), read_only=True) as con:
        # Views (staging, marts.fct_abnormal_returns) became tables: the copy stands alone,
        # whatever name a client opens it under.
        assert con.execute(
            "select count(*) from duckdb_views() where not internal "
            "and schema_name in ('staging', 'marts')"
        ).fetchone() == (0,)
        assert "marts.fct_abnormal_returns" in published
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
    assert info["total_rows"] == sum(_tables(serving_db, PUBLISHED_SCHEMAS).values())


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
    published = _tables(serving_db, PUBLISHED_SCHEMAS)
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
    pairs x days view first (computed as it is read), then the other views, then the tables by
    estimated rows (the bars: one row per series and day), so the last task is a small one."""
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        relations = published_relations(con)
    tasks = ordered_tasks(relations)
    assert [(t.action, t.relation.key) for t in tasks[:2]] == [
        ("copy", "marts.fct_abnormal_returns"),
        ("export", "marts.fct_abnormal_returns"),
    ]
    assert sorted((t.relation.key, t.action) for t in tasks) == sorted(
        (r.key, action) for r in relations for action in ("copy", "export")
    )
    kinds = [t.relation.is_view for t in tasks]
    assert kinds == sorted(kinds, reverse=True), "every view before every table"
    tables = [t.relation for t in tasks if not t.relation.is_view and t.action == "copy"]
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
    tasks = 2 * done.tables  # a copy and a Parquet file per relation
    counts = [int(re.match(rf"publishing: (\d+) of {tasks} copies", line)[1]) for line in lines]
    assert counts == sorted(counts) and counts[-1] <= tasks
    on = {m[1] for line in lines for m in re.finditer(r"(?:copying|exporting) (\S+?)(?:,|$)", line)}
    assert on and on <= set(done.row_counts), f"names only published relations: {on}"


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

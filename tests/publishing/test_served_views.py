"""The views the read copy keeps as views (publishing/served_views.py), on a hand-made warehouse:
what they read is found however deep, their SQL loses the private catalog's name and nothing
else, and the copy's views read the copy's own tables under any name."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from publishing.served_views import ServedViewError, create_views, plan_views

LITERAL = "warehouse.intermediate.units stays text"


@pytest.fixture
def warehouse(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    """A warehouse named like the real one: a view over a view over two tables (dbt writes its
    references with the catalog), a CTE named like one of the tables, the catalog's name in a
    string literal."""
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("create schema intermediate; create schema marts")
    con.execute("create table intermediate.units as select * from range(3) as u(unit_id)")
    con.execute(
        "create table intermediate.days as "
        "select unit_id, d as relative_day, unit_id * 10 + d as ret "
        "from range(3) as u(unit_id), range(-1, 2) as r(d)"
    )
    con.execute(
        "create view intermediate.unit_days as "
        "with units as (select * from warehouse.intermediate.units where unit_id > 0) "
        "select d.* from units join warehouse.intermediate.days as d using (unit_id)"
    )
    con.execute(
        "create view marts.returns as "
        f"select *, '{LITERAL}' as note from warehouse.intermediate.unit_days"
    )
    return con


def test_the_plan_has_every_view_after_what_it_reads_and_the_tables_under_them(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    plan = plan_views(warehouse, ("marts.returns",))
    assert [v.key for v in plan.views] == ["intermediate.unit_days", "marts.returns"]
    assert sorted(plan.tables) == ["intermediate.days", "intermediate.units"]
    for view in plan.views:
        assert "warehouse." not in view.query.replace(LITERAL, "")
    assert LITERAL in plan.views[1].query


def test_the_copys_views_read_the_copy_under_any_name(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    plan = plan_views(warehouse, ("marts.returns",))
    copy = tmp_path / "copy.duckdb"
    warehouse.execute(f"attach '{copy}' as pub")
    for key in plan.tables:  # the publish's crew copies these
        schema = key.split(".")[0]
        warehouse.execute(f"create schema if not exists pub.{schema}")
        warehouse.execute(f"create table pub.{key} as select * from {key}")
    warehouse.execute("update pub.intermediate.days set ret = ret + 1000")  # tell them apart
    create_views(warehouse, plan, "pub")
    warehouse.execute("detach pub")
    expected = warehouse.execute(
        "select unit_id, relative_day, ret + 1000, note from marts.returns order by all"
    ).fetchall()
    assert len(expected) == 6 and expected[0] == (1, -1, 1009, LITERAL)
    warehouse.close()
    reader = duckdb.connect()  # beside the warehouse, same schemas and names: still the copy's
    reader.execute(f"attach '{tmp_path / 'warehouse.duckdb'}' as warehouse (read_only)")
    reader.execute(f"attach '{copy}' as served (read_only)")
    reader.execute("use warehouse")
    rows = reader.execute("select * from served.marts.returns order by all").fetchall()
    assert rows == expected


def test_a_view_whose_table_is_gone_is_named(warehouse: duckdb.DuckDBPyConnection) -> None:
    warehouse.execute("drop table intermediate.days")  # DuckDB keeps the view that read it
    with pytest.raises(ServedViewError, match=r"intermediate\.days: read by a served view"):
        plan_views(warehouse, ("marts.returns",))


def test_a_served_view_that_is_a_table_in_the_build_is_copied_as_before(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    """On Spark fct_abnormal_returns is a table: nothing to serve as a view then."""
    plan = plan_views(warehouse, ("intermediate.days",))
    assert plan.views == [] and plan.tables == []

"""SQLAlchemy's inspector, as Superset (psycopg2) and Python notebooks (psycopg 3) use it."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from tests.endpoint.readme_queries import readme_queries

DRIVERS = ["psycopg", "psycopg2"]


@pytest.fixture(scope="module", params=DRIVERS)
def engine(request, endpoint):
    engine = sa.create_engine(endpoint.url(request.param), poolclass=sa.pool.NullPool)
    yield engine
    engine.dispose()


def test_schema_and_table_names(engine, direct):
    inspector = sa.inspect(engine)
    assert {"marts", "meta", "raw", "staging"} <= set(inspector.get_schema_names())
    expected = [
        r[0]
        for r in direct.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
        ).fetchall()
    ]
    assert sorted(inspector.get_table_names(schema="marts")) == expected
    # The default schema is marts, so unqualified reflection finds the marts too.
    assert sorted(inspector.get_table_names()) == expected
    assert inspector.get_table_names(schema="meta") == ["build_info"]


def test_columns_types_and_comments(engine, direct):
    inspector = sa.inspect(engine)
    columns = {c["name"]: c for c in inspector.get_columns("fct_car", schema="marts")}
    expected = direct.execute(
        "select column_name, comment from duckdb_columns() where schema_name = 'marts' "
        "and table_name = 'fct_car' order by column_index"
    ).fetchall()
    assert list(columns) == [name for name, _ in expected]
    assert all(columns[name]["comment"] == comment for name, comment in expected)
    assert isinstance(columns["car"]["type"], postgresql.DOUBLE_PRECISION)
    assert isinstance(columns["window_start"]["type"], sa.INTEGER)
    assert isinstance(columns["study_id"]["type"], sa.TEXT)
    etf = {c["name"]: c["type"] for c in inspector.get_columns("fct_etf_flow_daily", "marts")}
    assert isinstance(etf["date"], sa.DATE) and isinstance(etf["market_open"], sa.BOOLEAN)


def test_keys_and_indexes_are_empty_not_errors_and_the_view_is_listed(engine):
    inspector = sa.inspect(engine)
    # the pairs x days mart stays a view in the published copy (publishing/served_views.py)
    assert inspector.get_view_names(schema="marts") == ["fct_abnormal_returns"]
    columns = {c["name"] for c in inspector.get_columns("fct_abnormal_returns", schema="marts")}
    assert {"study_id", "event_id", "asset_id", "relative_day", "abnormal_return"} <= columns
    assert inspector.get_pk_constraint("fct_car", schema="marts")["constrained_columns"] == []
    assert inspector.get_foreign_keys("fct_car", schema="marts") == []
    assert inspector.get_indexes("fct_car", schema="marts") == []
    assert inspector.get_unique_constraints("fct_car", schema="marts") == []
    comment = inspector.get_table_comment("fct_car", schema="marts")["text"]
    assert comment.startswith("Cumulative abnormal return")


def test_readme_queries_through_sqlalchemy(engine, direct):
    with engine.connect() as connection:
        for query in readme_queries():
            rows = connection.execute(sa.text(query)).fetchall()
            assert len(rows) == len(direct.execute(query).fetchall()) > 0


def test_reflected_table_can_be_queried(engine):
    table = sa.Table("fct_fx_daily", sa.MetaData(), schema="marts", autoload_with=engine)
    query = (
        sa.select(table.c.date, table.c.rate)
        .where(table.c.pair == "USD/HKD", table.c.date.between(date(2025, 5, 1), date(2025, 5, 9)))
        .order_by(table.c.date)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).fetchall()
    # The Hong Kong dollar stays in its 7.75-7.85 band and touched the strong side on 2 May 2025.
    assert rows and all(7.75 <= rate <= 7.85 for _, rate in rows)
    assert dict(rows)[date(2025, 5, 2)] < 7.751

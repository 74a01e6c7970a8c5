"""Old vs new rows of the ETF-flow marts, and the event-study marts without a new study.

    uv run --frozen python scripts/compare_flow_marts.py BASE_DB NEW_DB [--new-study etf_flows]

Made for moving the flow marts onto the event-study engine (issue #10): build both trees with
``scripts/compare_builds.py --keep DIR`` and pass ``DIR/base/warehouse.duckdb`` and
``DIR/new/warehouse.duckdb``. For ``fct_event_etf_flows`` and ``fct_event_etf_flow_windows`` it
joins the rows by grain and counts rows only in the base, only in the new build (by window), and
rows whose columns differ, with the events and products they belong to (doubles within 1e-9 relative); rows only in the base
are split by whether their date is before the product's first flow or after its last. The
engine's marts are compared with the new study's rows left out: they must be identical.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

FLOW_MARTS = {
    "fct_event_etf_flows": ["event_id", "product", "relative_day"],
    "fct_event_etf_flow_windows": ["event_id", "product", "window_start", "window_end"],
}
ENGINE_MARTS = (
    "fct_abnormal_returns",
    "fct_car",
    "fct_event_model_fit",
    "fct_event_overlaps",
    "fct_event_study_exclusions",
    "fct_event_study_summary",
)
RELATIVE = 1e-9


def _types(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> dict[str, str]:
    return dict(
        con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_catalog = ? and table_schema = 'marts' and table_name = ? "
            "order by ordinal_position",
            [catalog, table],
        ).fetchall()
    )


def _same(column: str, data_type: str) -> str:
    # doubles within RELATIVE of the larger magnitude (absolute below 1); the rest exactly
    near = (
        f" or abs(o.{column} - w.{column}) <= {RELATIVE} * "
        f"greatest(abs(o.{column}), abs(w.{column}), 1)"
        if data_type == "DOUBLE"
        else ""
    )
    return f"(o.{column} is not distinct from w.{column}{near})"


def flow_mart_differences(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    keys = FLOW_MARTS[table]
    types = _types(con, "b", table)
    on = " and ".join(f"o.{k} = w.{k}" for k in keys)
    changed = " || ".join(
        f"case when not {_same(c, t)} then '{c} ' else '' end"
        for c, t in types.items()
        if c not in keys
    )
    date = "o.trade_date" if "trade_date" in types else "null"
    window = " [' || w.window_start || ', ' || w.window_end || ']" if "window_start" in keys else ""
    return con.execute(
        f"""
        with coverage as (
            select product, min(trade_date) as first_date, max(trade_date) as last_date
            from n.intermediate.int_es_flow_values group by product
        ),
        joined as (
            select
                coalesce(o.event_id, w.event_id) as event_id,
                coalesce(o.product, w.product) as product,
                case
                    when w.event_id is null and {date} < c.first_date
                        then 'only old: before the first flow'
                    when w.event_id is null and {date} > c.last_date
                        then 'only old: after the last flow'
                    when w.event_id is null then 'only old'
                    when o.event_id is null then 'only new{window}'
                    when ({changed}) <> '' then 'changed: ' || ({changed})
                    else 'identical'
                end as status
            from b.marts.{table} as o
            full join n.marts.{table} as w on {on}
            left join coverage as c on c.product = coalesce(o.product, w.product)
        )
        select
            status,
            count(*) as n_rows,
            string_agg(distinct event_id || ' ' || product, ', ' order by event_id || ' ' || product)
        from joined
        where status <> 'identical'
        group by status
        order by status
        """
    ).fetchall()


def engine_mart_differences(
    con: duckdb.DuckDBPyConnection, dbs: dict[str, Path], table: str, new_study: str
) -> tuple[int, int, int]:
    """(base rows, new rows without the new study, rows in one and not the other)."""
    types = _types(con, "b", table)
    # doubles to 9 significant digits; some marts are views of their own file's catalog, so each
    # side is read through its own connection
    select = ", ".join(
        f"round({c}, 9 - cast(floor(log10(greatest(abs({c}), 1e-300))) as integer)) as {c}"
        if t == "DOUBLE"
        else c
        for c, t in types.items()
    )
    for side, where in (("b", "true"), ("n", f"study_id <> '{new_study}'")):
        with duckdb.connect(str(dbs[side]), read_only=True) as own:
            frame = own.execute(f"select {select} from marts.{table} where {where}").arrow()
        con.register(f"{side}_{table}", frame)
    n_base, n_new = (
        con.execute(f"select count(*) from {side}_{table}").fetchone()[0] for side in ("b", "n")
    )
    n_diff = con.execute(
        f"select (select count(*) from (from b_{table} except all from n_{table})) "
        f"+ (select count(*) from (from n_{table} except all from b_{table}))"
    ).fetchone()[0]
    return n_base, n_new, n_diff


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_db", type=Path)
    parser.add_argument("new_db", type=Path)
    parser.add_argument("--new-study", default="etf_flows")
    args = parser.parse_args(argv)
    dbs = {"b": args.base_db, "n": args.new_db}
    con = duckdb.connect()
    con.execute(f"attach '{args.base_db}' as b (read_only)")
    con.execute(f"attach '{args.new_db}' as n (read_only)")
    for table in FLOW_MARTS:
        print(f"== marts.{table}: rows that are not identical (status, rows, events and products)")
        for row in flow_mart_differences(con, table):
            print("   ", *row)
    print(f"== event-study marts without study {args.new_study!r} (base rows, new rows, differ)")
    worst = 0
    for table in ENGINE_MARTS:
        n_base, n_new, n_diff = engine_mart_differences(con, dbs, table, args.new_study)
        worst = max(worst, n_diff)
        print(f"    marts.{table}: {n_base} -> {n_new}, {n_diff} differ")
    return 1 if worst else 0


if __name__ == "__main__":
    raise SystemExit(main())

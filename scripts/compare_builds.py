"""Build the warehouse from two trees on the same raw data and compare them table by table.

    uv run --frozen python scripts/compare_builds.py --base main [--new WORKTREE] [--keep DIR]

The base tree is exported with ``git archive <rev>`` (no checkout, no worktree); the new tree is
this working tree as it is on disk (uncommitted edits included). Each is built headless
(``python -m orchestration``, FULL=1, offline from LANDING_DIR) into its own folder, then every
table of the ``raw``, ``staging``, ``intermediate`` and ``marts`` schemas of the base build is
compared with the table of the same name in the new build (or with its new home, see
``MOVED``): rows as a multiset (order-independent), text, dates and booleans exactly, doubles
within 1e-12 (relative to the larger magnitude, absolute below 1). Columns that record when or
where a build ran (``loaded_at``, archive paths, ...) are left out. Exits 1 when a table differs.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

REPO_ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ("raw", "staging", "intermediate", "marts")
TOLERANCE = 1e-12
# Columns that say when or where a build ran, not what it computed.
VOLATILE_COLUMNS = {
    "loaded_at",
    "loaded_at_utc",
    "received_at",
    "received_at_utc",
    "archive_path",
    "built_at",
    "built_at_utc",
}
# Per relation: columns that name the tree a build ran from (the config files' paths) or hash its
# code (a source's recipe changes whenever its parser's code does, by design).
VOLATILE_BY_RELATION: dict[str, set[str]] = {
    "raw.events": {"origin"},
    "raw.studies": {"origin"},
    "raw.series": {"catalog_path"},  # the catalog's file name (catalog/assets.yml before)
    "staging.stg_series": {"catalog_path"},
    "raw.loads": {"recipe_sha256"},
}
# Relations whose rows moved to another model on purpose: new relation -> base relation.
# The moved relation is compared with its base; the base relation itself is reported as
# changed in intent (see INTENDED_CHANGES) rather than as a regression.
MOVED: dict[str, str] = {
    "intermediate.int_daily_bars": "staging.stg_daily_bars",
}
# Base relations whose rows change on purpose, with the reason printed beside the result.
INTENDED_CHANGES: dict[str, str] = {
    "staging.stg_daily_bars": (
        "now typed and deduplicated only; the calendar join and FX inversion moved to "
        "intermediate.int_daily_bars (compared above)"
    ),
}


@dataclass
class Comparison:
    relation: str
    base_rows: int
    new_rows: int
    status: str  # identical | DIFFERENT | missing | intended
    detail: str = ""


def export_tree(rev: str, dest: Path) -> Path:
    """Write the tree of ``rev`` to ``dest`` without touching any checkout."""
    archive = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "archive", "--format=tar", rev],
        check=True,
        capture_output=True,
    ).stdout
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")
    return dest


def build(tree: Path, out: Path, landing: Path) -> float:
    """Parse the dbt project of ``tree`` and run its headless build into ``out``; seconds."""
    out.mkdir(parents=True, exist_ok=True)
    dagster_home = out / "dagster_home"
    dagster_home.mkdir(exist_ok=True)
    shutil.copy(tree / "orchestration" / "dagster.yaml", dagster_home / "dagster.yaml")
    env = {
        **os.environ,
        "WAREHOUSE_DB": str(out / "warehouse.duckdb"),
        "LANDING_DIR": str(landing),
        "ARCHIVE_DIR": str(out / "archive"),
        "SERVING_DB": str(out / "serving" / "warehouse.duckdb"),
        "EXPORT_DIR": str(out / "exports"),
        "REPORT_FILE": str(out / "report.html"),
        "DAGSTER_HOME": str(dagster_home),
        "INGEST_MODE": "landing",
        "FULL": "1",
    }
    dbt = Path(sys.executable).parent / "dbt"
    subprocess.run(
        [str(dbt), "parse", "--profiles-dir", ".", "--quiet"],
        cwd=tree / "dbt_project",
        env=env,
        check=True,
    )
    started = time.monotonic()
    with open(out / "build.log", "w") as log:
        done = subprocess.run(
            [sys.executable, "-m", "orchestration"], cwd=tree, env=env, stdout=log, stderr=log
        )
    if done.returncode != 0:
        raise SystemExit(f"build of {tree} failed (exit {done.returncode}); see {out}/build.log")
    return time.monotonic() - started


def _relations(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_catalog = current_database() and table_schema in (select unnest(?))",
        [list(SCHEMAS)],
    ).fetchall()
    return {r[0] for r in rows}


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    schema, table = relation.split(".")
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = current_database() and table_schema = ? and table_name = ? "
        "order by ordinal_position",
        [schema, table],
    ).fetchall()
    return dict(rows)


def _is_float(data_type: str) -> bool:
    return data_type in {"DOUBLE", "FLOAT", "REAL"} or data_type.startswith("DECIMAL")


def _close(a: float, b: float) -> bool:
    if (a is None or (isinstance(a, float) and math.isnan(a))) and (
        b is None or (isinstance(b, float) and math.isnan(b))
    ):
        return True
    if a is None or b is None:
        return False
    return abs(a - b) <= TOLERANCE * max(1.0, abs(a), abs(b))


def compare(
    base: duckdb.DuckDBPyConnection,
    new: duckdb.DuckDBPyConnection,
    base_rel: str,
    new_rel: str,
    label: str,
) -> Comparison:
    base_cols = _columns(base, base_rel)
    new_cols = _columns(new, new_rel)
    skipped = VOLATILE_COLUMNS | VOLATILE_BY_RELATION.get(base_rel, set())
    common = [c for c in base_cols if c in new_cols and c not in skipped]
    notes = []
    if set(base_cols) != set(new_cols):
        only_base = sorted(set(base_cols) - set(new_cols))
        only_new = sorted(set(new_cols) - set(base_cols))
        notes.append(f"columns only in base {only_base}, only in new {only_new}")
    retyped = [f"{c} {base_cols[c]}->{new_cols[c]}" for c in common if base_cols[c] != new_cols[c]]
    if retyped:
        notes.append("types " + ", ".join(retyped))
    base_n = base.execute(f"select count(*) from {base_rel}").fetchone()[0]
    new_n = new.execute(f"select count(*) from {new_rel}").fetchone()[0]
    if base_n != new_n:
        return Comparison(label, base_n, new_n, "DIFFERENT", "; ".join(["row counts", *notes]))
    exact = [c for c in common if not _is_float(base_cols[c])]
    floats = [c for c in common if _is_float(base_cols[c])]
    # Text form of every exact column: lists, structs and timestamps compare as their text.
    keys = ", ".join(f'cast("{c}" as varchar) as "{c}"' for c in exact) or "1 as one"
    values = "".join(f', cast("{c}" as double) as "{c}"' for c in floats)
    first = base.execute(f"select {keys}{values} from {base_rel}").df()
    second = new.execute(f"select {keys}{values} from {new_rel}").df()
    order = list(first.columns)
    first = first.sort_values(order, na_position="last", kind="mergesort").reset_index(drop=True)
    second = second.sort_values(order, na_position="last", kind="mergesort").reset_index(drop=True)
    key_cols = [c for c in first.columns if c not in floats]
    if not first[key_cols].fillna("<null>").equals(second[key_cols].fillna("<null>")):
        return Comparison(label, base_n, new_n, "DIFFERENT", "; ".join(["row values", *notes]))
    worst = 0.0
    for column in floats:
        for a, b in zip(first[column].tolist(), second[column].tolist(), strict=True):
            if not _close(a, b):
                return Comparison(
                    label, base_n, new_n, "DIFFERENT", "; ".join([f"{column}: {a} vs {b}", *notes])
                )
            if a is not None and b is not None and not (math.isnan(a) or math.isnan(b)):
                worst = max(worst, abs(a - b) / max(1.0, abs(a), abs(b)))
    if worst:
        notes.append(f"largest relative double difference {worst:.1e}")
    return Comparison(label, base_n, new_n, "identical", "; ".join(notes))


def compare_builds(base_db: Path, new_db: Path) -> list[Comparison]:
    # Each build opened on its own: its views name their database ("warehouse") in full.
    con = duckdb.connect(str(base_db), read_only=True)
    new = duckdb.connect(str(new_db), read_only=True)
    base_rels = _relations(con)
    new_rels = _relations(new)
    # A move counts only where it happened between the two trees (the base lacks the new relation).
    moved = {
        new_rel: base_rel
        for new_rel, base_rel in MOVED.items()
        if new_rel in new_rels and base_rel in base_rels and new_rel not in base_rels
    }
    intended = {rel: why for rel, why in INTENDED_CHANGES.items() if rel in moved.values()}
    results = []
    for relation in sorted(base_rels):
        if relation in intended:
            if relation in new_rels:
                result = compare(con, new, relation, relation, relation)
                if result.status != "identical":
                    result.status = "intended"
                    result.detail = f"{intended[relation]} ({result.detail})"
            else:
                result = Comparison(relation, 0, 0, "intended", intended[relation])
        elif relation in new_rels:
            result = compare(con, new, relation, relation, relation)
        else:
            result = Comparison(relation, 0, 0, "missing", "not in the new build")
        results.append(result)
    for new_rel, base_rel in sorted(moved.items()):
        results.append(compare(con, new, base_rel, new_rel, f"{new_rel} (was {base_rel})"))
    for relation in sorted(new_rels - base_rels - set(moved)):
        results.append(Comparison(relation, 0, 0, "new", "only in the new build"))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="main", help="git revision of the base tree")
    parser.add_argument("--new", type=Path, default=REPO_ROOT, help="tree to compare (on disk)")
    parser.add_argument(
        "--landing",
        type=Path,
        default=Path(os.environ.get("LANDING_DIR") or REPO_ROOT.parent / "shared" / "raw"),
    )
    parser.add_argument("--keep", type=Path, help="build here and keep it (reused when present)")
    parser.add_argument(
        "--compare-only", action="store_true", help="with --keep: compare the kept builds again"
    )
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="compare_builds_"))
    if args.compare_only and args.keep:
        return _report(
            compare_builds(work / "base" / "warehouse.duckdb", work / "new" / "warehouse.duckdb")
        )
    try:
        base_out, new_out = work / "base", work / "new"
        for label, out, tree in (
            ("base", base_out, lambda: export_tree(args.base, work / "base_tree")),
            ("new", new_out, lambda: args.new.resolve()),
        ):
            if (out / "warehouse.duckdb").exists() and label == "base" and args.keep:
                print(f"{label}: reusing {out}/warehouse.duckdb", flush=True)
                continue
            if label == "new" and (out / "warehouse.duckdb").exists():
                shutil.rmtree(out)
            seconds = build(tree(), out, args.landing.resolve())
            print(f"{label}: built in {seconds:.0f} s", flush=True)
        results = compare_builds(base_out / "warehouse.duckdb", new_out / "warehouse.duckdb")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return _report(results)


def _report(results: list[Comparison]) -> int:
    width = max(len(r.relation) for r in results)
    for r in results:
        rows = f"{r.base_rows:>8} -> {r.new_rows:<8}"
        print(f"{r.relation:<{width}}  {r.status:<9} {rows} {r.detail}".rstrip())
    bad = [r for r in results if r.status in {"DIFFERENT", "missing"}]
    counts = {s: sum(r.status == s for r in results) for s in sorted({r.status for r in results})}
    print(f"{len(results)} relations compared: {counts}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())

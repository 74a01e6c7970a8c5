"""Old engine against new: build the event-study marts of two versions of the dbt project on
copies of one warehouse (same raw data, same events and studies) and compare them table by
table, row by row (by each mart's grain), column by column.

Usage::

    uv run python -m bench.es_compare_engines [--base HEAD] [--warehouse W] \\
        [--events E.csv --studies S.yml] [--output bench/results/es_compare.md]

- ``--base``: a git ref; its ``dbt_project/`` and ``warehouse_udfs/`` (``git archive``) are the
  old engine; the working tree's are the new one.
- ``--warehouse``: a built warehouse (default ``$WAREHOUSE_DB`` or ./warehouse.duckdb), only
  read: each side gets its own copy, and each runs ``dbt run`` of the event-study models and the
  findings downstream of them.
- ``--events`` / ``--studies``: another event catalogue and study file (both sides load them
  with ``ingest.event_config``); by default the warehouse's own.

Numbers must agree to ``--tolerance`` (1e-12, absolute or relative to the old value). Columns the
new engine changes on purpose (issue 12) are listed as such, with their reason, and counted
apart; anything else that differs makes the exit code 1.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import yaml

from ingest.config import load_settings
from warehouse_engine import dbt_duckdb

REPO_ROOT = Path(__file__).resolve().parent.parent
EVENT_STUDY_MODELS = [
    "path:models/staging/event_study",
    "path:models/intermediate/event_study",
    "path:models/marts/event_study",
]
SELECTION = [*EVENT_STUDY_MODELS[:-1], "path:models/marts/event_study+"]  # and the findings
# Old column name -> new one.
RENAMED = {"in_estimation": "in_estimation_window"}
# (table, column) -> why the new engine's value differs on purpose.
DELIBERATE = {
    ("fct_event_study_summary", "wilcoxon_stat"): "SciPy's two-sided statistic min(W+, W-), was W+",
    ("fct_event_study_summary", "wilcoxon_p_value"): "SciPy's exact distribution for N <= 50",
    ("fct_event_study_summary", "kp_t_stat"): "Kolari-Pynnonen r by calendar date",
    ("fct_event_study_summary", "kp_p_value"): "Kolari-Pynnonen r by calendar date",
    (
        "fct_abnormal_returns",
        "benchmark_return",
    ): "null on an asset's first session (was a bogus ASOF match)",
}
# anchor: previous = the session in progress at the event (was: last close before it): pairs of
# studies anchored `previous` may move their day 0, so all their rows may differ.
PREVIOUS_ANCHOR_NOTE = "studies anchored `previous` (day 0 = session in progress)"


@dataclass
class TableResult:
    table: str
    old_rows: int
    new_rows: int
    only_old: int
    only_new: int
    columns: list[tuple[str, int, float, str]]  # column, rows differing, max diff, verdict

    @property
    def ok(self) -> bool:
        return (
            self.only_old == 0
            and self.only_new == 0
            and all(v != "DIFFERS" for _, _, _, v in self.columns)
        )


def copy_warehouse(source: Path, folder: Path) -> Path:
    folder.mkdir(parents=True)
    target = folder / "warehouse.duckdb"  # dbt's views name their catalog after the file
    shutil.copy2(source, target)
    return target


def export_base(ref: str, folder: Path) -> Path:
    """``dbt_project/`` and ``warehouse_udfs/`` of ``ref`` into ``folder``."""
    folder.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", ref, "dbt_project", "warehouse_udfs"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def load_config(db: Path, events: Path | None, studies: Path | None) -> None:
    if events is None and studies is None:
        return
    from ingest import event_config

    event_config.load_event_config(
        db, events.resolve() if events else None, studies.resolve() if studies else None
    )


class DbtRunFailed(RuntimeError):
    """dbt run of the event-study models failed; the message ends with dbt's output."""


def _dbt_command(source_root: Path) -> list[str]:
    """How to start dbt for the project in ``source_root``: its own launcher where it has one
    (warehouse_engine/dbt_duckdb.py reuses a saved parse across warehouse files of one name),
    else the environment's ``dbt`` (an older tree)."""
    if (source_root / "warehouse_engine" / "dbt_duckdb.py").is_file():
        return dbt_duckdb.command()
    local = Path(sys.executable).parent / "dbt"
    return [str(local) if local.is_file() else (shutil.which("dbt") or "dbt")]


def _reuse_saved_parse(dbt_dir: Path, target: Path) -> None:
    """Start ``target`` from the project's saved parse (``make manifest`` writes it): dbt
    re-parses only what changed, and all of it when the project, profile or vars differ."""
    saved = dbt_dir / "target" / "partial_parse.msgpack"
    if saved.is_file():
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(saved, target / saved.name)


def run_dbt(source_root: Path, db: Path, workdir: Path, selection: list[str] = SELECTION) -> None:
    """dbt run of the models ``selection`` names (default: the event-study models and the
    findings) of the project in ``source_root``; its UDF plugin is the one beside it
    (profiles.yml finds it from DBT_PROJECT_DIR with a custom log path)."""
    dbt_dir = source_root / "dbt_project"
    _reuse_saved_parse(dbt_dir, workdir / "target")
    cmd = [
        *_dbt_command(source_root),
        "run",
        "-s",
        *selection,
        "--quiet",
        "--profiles-dir",
        str(dbt_dir),
        "--target-path",
        str(workdir / "target"),
        "--log-path",
        str(workdir / "dbt-logs"),
    ]
    env = {
        **os.environ,
        "WAREHOUSE_DB": str(db),
        "DBT_PROJECT_DIR": str(dbt_dir),
        "PYTHONPATH": str(source_root),
    }
    proc = subprocess.run(cmd, cwd=dbt_dir, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise DbtRunFailed(
            f"dbt run failed in {source_root}:\n{(proc.stdout + proc.stderr)[-3000:]}"
        )


def rebuild_event_study(
    source_root: Path,
    warehouse: Path,
    folder: Path,
    events: Path | None = None,
    studies: Path | None = None,
    selection: list[str] = SELECTION,
) -> Path:
    """A copy of ``warehouse`` in ``folder`` (only read: same raw data) whose event-study models
    dbt has run again with the project in ``source_root``, on ``events`` and ``studies`` where
    given (else the warehouse's own)."""
    db = copy_warehouse(warehouse, folder)
    load_config(db, events, studies)
    run_dbt(source_root, db, folder, selection)
    return db


def grains(dbt_dir: Path) -> dict[str, list[str]]:
    """Each mart's grain (config.meta.grain) from the YAML of the event-study and findings marts."""
    out: dict[str, list[str]] = {}
    for path in (dbt_dir / "models" / "marts").rglob("*.yml"):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", []):
            grain = ((model.get("config") or {}).get("meta") or {}).get("grain")
            if grain:
                out[model["name"]] = list(grain)
    return out


def tables_to_compare(con: duckdb.DuckDBPyConnection, dbt_dir: Path) -> list[str]:
    event_study = sorted(p.stem for p in (dbt_dir / "models/marts/event_study").glob("*.sql"))
    findings = sorted(p.stem for p in (dbt_dir / "models/marts/findings").glob("*.sql"))
    present = {
        r[0]
        for r in con.execute(
            "select table_name from duckdb_tables() union all select view_name from duckdb_views()"
        ).fetchall()
    }
    return [t for t in event_study + findings if t in present]


def read(path: Path, table: str) -> pd.DataFrame:
    con = duckdb.connect()
    try:
        con.execute(f"attach '{path}' as warehouse (read_only)")
        con.execute("use warehouse")
        df = con.execute(f"select * from marts.{table}").df()
    finally:
        con.close()
    return df.rename(columns=RENAMED)


def numeric_diff(a: pd.Series, b: pd.Series) -> np.ndarray:
    """|a - b| where both are numbers, relative to max(1, |a|); inf where only one is null."""
    x, y = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
    both_null = np.isnan(x) & np.isnan(y)
    one_null = np.isnan(x) ^ np.isnan(y)
    with np.errstate(invalid="ignore"):
        d = np.abs(x - y) / np.maximum(1.0, np.abs(x))
    d[both_null] = 0.0
    d[one_null] = np.inf
    return d


def deliberate(table: str, col: str, rows: pd.DataFrame) -> str | None:
    """Why the differing ``rows`` of ``col`` differ on purpose, or None."""
    if (table, col) == ("fct_abnormal_returns", "benchmark_return"):
        # only on sessions without an asset return (an asset's first session), now null
        ok = rows["benchmark_return_new"].isna() & rows["actual_return_new"].isna()
        return DELIBERATE[(table, col)] if bool(ok.all()) else None
    return DELIBERATE.get((table, col))


def compare_table(
    table: str,
    old: pd.DataFrame,
    new: pd.DataFrame,
    keys: list[str],
    tol: float,
    previous_studies: set[str],
) -> TableResult:
    keys = [RENAMED.get(k, k) for k in keys]
    merged = old.merge(new, on=keys, how="outer", suffixes=("_old", "_new"), indicator=True)
    if "study_id" in keys and previous_studies:
        # anchor `previous` changed on purpose: its studies' rows are compared apart
        moved = merged["study_id"].isin(previous_studies)
        if moved.any():
            print(f"  {table}: {int(moved.sum())} rows of {PREVIOUS_ANCHOR_NOTE} not compared")
        merged = merged[~moved]
    only_old = int((merged["_merge"] == "left_only").sum())
    only_new = int((merged["_merge"] == "right_only").sum())
    both = merged[merged["_merge"] == "both"]
    columns = []
    for col in [c for c in new.columns if c not in keys]:
        if col not in old.columns:
            columns.append((col, len(both), float("nan"), "new column"))
            continue
        a, b = both[f"{col}_old"], both[f"{col}_new"]
        if (
            pd.api.types.is_numeric_dtype(a)
            and pd.api.types.is_numeric_dtype(b)
            and not (pd.api.types.is_bool_dtype(a) or pd.api.types.is_bool_dtype(b))
        ):
            d = numeric_diff(a, b)
            mask = d > tol
            worst = float(np.nanmax(d)) if len(d) else 0.0
        else:
            mask = ~((a.astype(str) == b.astype(str)) | (a.isna() & b.isna())).to_numpy()
            worst = float("nan")
        bad = int(mask.sum())
        verdict = "same"
        if bad:
            why = deliberate(table, col, both[mask])
            verdict = f"deliberate: {why}" if why else "DIFFERS"
        columns.append((col, bad, worst, verdict))
    for col in [c for c in old.columns if c not in keys and c not in new.columns]:
        columns.append((col, len(both), float("nan"), "DIFFERS (column dropped)"))
    return TableResult(table, len(old), len(new), only_old, only_new, columns)


def render(results: list[TableResult], base: str, commit: str, tol: float, config: str) -> str:
    lines = [
        "# Event-study engine: old against new",
        "",
        f"Old engine: `{base}`; new engine: the working tree at `{commit}`. Same warehouse copy,"
        f" same events and studies ({config}). Numbers compared to {tol:g} (absolute, or relative"
        " to the old value when it is above 1); rows matched on each mart's grain.",
        "",
        "| table | rows old | rows new | only old | only new | columns differing | verdict |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        diffs = [f"{c} ({n} rows, max {w:.1e}): {v}" for c, n, w, v in r.columns if v != "same"]
        lines.append(
            f"| {r.table} | {r.old_rows} | {r.new_rows} | {r.only_old} | {r.only_new} "
            f"| {'; '.join(diffs) or 'none'} | {'equal' if r.ok else '**DIFFERENT**'} |"
        )
    worst = max(
        (w for r in results for _, _, w, v in r.columns if v == "same" and not np.isnan(w)),
        default=0.0,
    )
    lines += ["", f"Largest difference among the columns kept: {worst:.1e}.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_db = str(load_settings().warehouse_db)
    parser.add_argument("--base", default="HEAD", help="git ref of the old engine")
    parser.add_argument("--warehouse", type=Path, default=Path(default_db))
    parser.add_argument("--events", type=Path)
    parser.add_argument("--studies", type=Path)
    parser.add_argument("--tolerance", type=float, default=1e-12)
    parser.add_argument("--output", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    if not args.warehouse.is_file():
        parser.error(f"warehouse not found: {args.warehouse}; run `make run` first")

    workdir = Path(tempfile.mkdtemp(prefix="es_compare_"))
    try:
        base_src = export_base(args.base, workdir / "base_src")
        dbs = {}
        for side, src in (("old", base_src), ("new", REPO_ROOT)):
            print(f"{side}: dbt run of the event-study models ...", flush=True)
            dbs[side] = rebuild_event_study(
                src, args.warehouse.resolve(), workdir / side, args.events, args.studies
            )
        grain = grains(REPO_ROOT / "dbt_project")
        con = duckdb.connect(str(dbs["new"]), read_only=True)
        tables = tables_to_compare(con, REPO_ROOT / "dbt_project")
        previous = {
            r[0]
            for r in con.execute(
                "select study_id from staging.stg_es_studies where anchor = 'previous'"
            ).fetchall()
        }
        con.close()
        results = []
        for table in tables:
            old, new = read(dbs["old"], table), read(dbs["new"], table)
            keys = grain.get(table) or [c for c in new.columns if new[c].dtype == object]
            results.append(compare_table(table, old, new, keys, args.tolerance, previous))
    except DbtRunFailed as failure:
        raise SystemExit(str(failure)) from None
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    commit = subprocess.run(
        ["git", "rev-parse", "--short=12", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True
    ).stdout.strip()
    config = (
        f"events {args.events.name if args.events else 'of the warehouse'}, "
        f"studies {args.studies.name if args.studies else 'of the warehouse'}"
    )
    base = subprocess.run(
        ["git", "rev-parse", "--short=12", args.base], cwd=REPO_ROOT, capture_output=True, text=True
    ).stdout.strip()
    report = render(results, f"{args.base} = {base}", commit, args.tolerance, config)
    print(report)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(report, encoding="utf-8")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())

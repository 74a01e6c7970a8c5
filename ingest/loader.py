"""Write parsed rows into ``raw.*`` tables: validated, idempotent, one transaction per source.

A source's rows (and its rejects) are replaced as a whole: running twice leaves the same rows,
and a changed payload swaps its own rows atomically. Row rules come from the dataset
declaration (key uniqueness, required values, positive prices) and from the plausibility rules
of the series' asset class (``ingest.plausibility``), so every parser is held to the same
standard. A load that would drop most of a source's rows is refused (``ingest.shrink``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import pandas as pd

from ingest.archive import ArchivedPayload
from ingest.datasets import DATASETS, LOAD_LOG_TABLES, Dataset, create_table_sql
from ingest.parsers.base import ParseResult, Reject
from ingest.plausibility import plausibility_rejects
from ingest.sanitise import message as safe_message
from ingest.shrink import check_shrink

# Columns a table no longer declares, dropped from warehouses built before the change.
RETIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    # SlowMist's "0.0 = loss unknown" is applied in dbt (macro known_loss_usd), not by the parser.
    "hacks_slowmist": ("loss_usd",),
}


LOADS_COLUMNS = ", ".join(LOAD_LOG_TABLES["loads"].column_names)

# Every table that holds rows per source_id, besides the dataset tables.
SOURCE_META_TABLES = ("loads", "rejects", "payloads")


@dataclass(frozen=True)
class LoadOutcome:
    source_id: str
    dataset: str
    rows_loaded: int
    rows_rejected: int


@dataclass(frozen=True)
class FailedLoad:
    """One row of ``raw.loads`` with status 'failed'."""

    source_id: str
    series_id: str
    dataset: str
    origin: str
    failed_at: datetime
    message: str


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the dataset and load-log tables as ``ingest.datasets`` declares them; a warehouse
    built before a column was declared gets it, one built before a column was retired loses it."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    existing = set(
        con.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'raw' AND table_catalog = current_database()"
        ).fetchall()
    )
    for table in [*DATASETS.values(), *LOAD_LOG_TABLES.values()]:
        con.execute(create_table_sql(table))
        if not any(name == table.table for name, _ in existing):
            continue  # just created as declared
        for column in table.all_columns:
            if (table.table, column.name) not in existing:
                con.execute(
                    f'ALTER TABLE raw.{table.table} ADD COLUMN "{column.name}" {column.type}'
                )
        for column in RETIRED_COLUMNS.get(table.table, ()):
            if (table.table, column) in existing:
                con.execute(f'ALTER TABLE raw.{table.table} DROP COLUMN "{column}"')


def _rule_rejects(frame: pd.DataFrame, dataset: Dataset) -> tuple[pd.DataFrame, list[Reject]]:
    """Apply the dataset's row rules; return the rows that pass and a reject per failure."""
    rejects: list[Reject] = []
    bad = pd.Series(False, index=frame.index)
    for column in dataset.required:
        missing = frame[column].isna() & ~bad
        for idx in frame.index[missing]:
            rejects.append(Reject(_line(frame, idx), column, f"{column} is missing", None))
        bad |= missing
    for column in dataset.positive:
        values = pd.to_numeric(frame[column], errors="coerce")
        non_positive = values.notna() & (values <= 0) & ~bad
        for idx in frame.index[non_positive]:
            rejects.append(
                Reject(_line(frame, idx), column, "non-positive price", str(frame.at[idx, column]))
            )
        bad |= non_positive
    kept = frame[~bad]
    # Duplicate keys: identical copies keep one row; conflicting values reject every copy.
    key = list(dataset.key)
    value_cols = [c for c in dataset.column_names if c not in key and c not in dataset.list_columns]
    dup_mask = kept.duplicated(subset=key, keep=False)
    if dup_mask.any():
        dups = kept[dup_mask]
        for _, group in dups.groupby(key, dropna=False, sort=False):
            distinct = group[value_cols].astype("string").drop_duplicates()
            if len(distinct) == 1:
                for idx in group.index[1:]:
                    rejects.append(
                        Reject(_line(kept, idx), None, "duplicate row (identical copy)", None)
                    )
                bad.loc[group.index[1:]] = True
            else:
                lines = ", ".join(str(_line(kept, i)) for i in group.index)
                for idx in group.index:
                    rejects.append(
                        Reject(
                            _line(kept, idx),
                            ",".join(key),
                            f"duplicate key with conflicting values (lines {lines})",
                            "|".join(str(kept.at[idx, k]) for k in key),
                        )
                    )
                bad.loc[group.index] = True
    return frame[~bad], rejects


def validate_rows(
    frame: pd.DataFrame, dataset: Dataset, asset_class: str | None
) -> tuple[pd.DataFrame, list[Reject]]:
    """Rows passing the dataset's rules and the class's plausibility rules; a Reject per other."""
    good, rejects = _rule_rejects(frame, dataset)
    good, implausible = plausibility_rejects(good, dataset.table, asset_class)
    return good, rejects + implausible


def _line(frame: pd.DataFrame, idx: object) -> int | None:
    value = frame.at[idx, "source_line"] if "source_line" in frame.columns else None
    return None if value is None or pd.isna(value) else int(value)


def replace_source(
    con: duckdb.DuckDBPyConnection,
    *,
    dataset_name: str,
    source_id: str,
    series_id: str,
    payloads: list[ArchivedPayload],
    result: ParseResult,
    asset_class: str | None = None,
    recipe_sha256: str | None = None,
) -> LoadOutcome:
    """Validate and swap in one source's rows and rejects in a single transaction.

    Raises ShrinkRefusedError, leaving the source's rows as they were, when the load would drop
    most of them.
    """
    dataset = DATASETS[dataset_name]
    frame = result.frame.copy()
    missing = [c for c in dataset.column_names if c not in frame.columns]
    if missing:
        raise ValueError(f"parser output for {source_id} lacks columns {missing}")
    if "source_line" not in frame.columns:
        frame["source_line"] = None
    frame = frame.reset_index(drop=True)
    good, rule_rejects = validate_rows(frame, dataset, asset_class)
    rejects = sorted(list(result.rejects) + rule_rejects, key=lambda r: (r.line is None, r.line))

    loaded_at = datetime.now(UTC)
    origins = "; ".join(p.origin for p in payloads)
    sha = payloads[0].sha256 if len(payloads) == 1 else ",".join(p.sha256 for p in payloads)
    good = good.assign(
        source_id=source_id,
        origin=payloads[0].origin if len(payloads) == 1 else origins,
        payload_sha256=sha,
        loaded_at=loaded_at,
    )
    ordered = [c.name for c in dataset.all_columns]
    good = good[ordered]
    rejects_frame = pd.DataFrame(
        {
            "dataset": dataset.table,
            "source_id": source_id,
            "series_id": series_id,
            "origin": origins,
            "payload_sha256": sha,
            "line": pd.array([r.line for r in rejects], dtype="Int64"),
            "column_name": [r.column for r in rejects],
            "reason": [r.reason for r in rejects],
            "raw_value": [None if r.raw_value is None else str(r.raw_value)[:500] for r in rejects],
            "loaded_at": loaded_at,
        }
    )
    column_list = ", ".join(f'"{c}"' for c in ordered)
    con.execute("BEGIN TRANSACTION")
    try:
        rows_before = con.execute(
            f"SELECT count(*) FROM raw.{dataset.table} WHERE source_id = ?", [source_id]
        ).fetchone()[0]
        check_shrink(
            source_id=source_id,
            series_id=series_id,
            table=dataset.table,
            rows_before=rows_before,
            rows_after=len(good),
        )
        con.execute(f"DELETE FROM raw.{dataset.table} WHERE source_id = ?", [source_id])
        con.register("incoming_rows", good)
        con.execute(
            f"INSERT INTO raw.{dataset.table} ({column_list}) SELECT {column_list} FROM incoming_rows"
        )
        con.unregister("incoming_rows")
        con.execute("DELETE FROM raw.rejects WHERE source_id = ?", [source_id])
        if len(rejects_frame):
            con.register("incoming_rejects", rejects_frame)
            con.execute("INSERT INTO raw.rejects SELECT * FROM incoming_rejects")
            con.unregister("incoming_rejects")
        for p in payloads:
            con.execute(
                "DELETE FROM raw.payloads WHERE payload_sha256 = ? AND source_id = ?",
                [p.sha256, source_id],
            )
            con.execute(
                "INSERT INTO raw.payloads VALUES (?, ?, ?, ?, ?, ?)",
                [p.sha256, p.origin, source_id, p.received_at, p.size_bytes, str(p.archive_path)],
            )
        # raw.loads holds the latest attempt per source, so re-runs leave its row count alone.
        con.execute("DELETE FROM raw.loads WHERE source_id = ?", [source_id])
        con.execute(
            f"INSERT INTO raw.loads ({LOADS_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'loaded', NULL, ?)",
            [
                source_id,
                series_id,
                dataset.table,
                origins,
                sha,
                loaded_at,
                len(good),
                len(rejects),
                recipe_sha256,
            ],
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return LoadOutcome(source_id, dataset.table, len(good), len(rejects))


def record_failure(con: duckdb.DuckDBPyConnection, failure: FailedLoad) -> bool:
    """Make ``failure`` its source's latest attempt in raw.loads; previous rows stay untouched.

    raw.loads holds the latest attempt per source, so a failure older than the latest attempt
    (a journaled one merged late) is not written. Returns whether it was written.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        latest = con.execute(
            "SELECT max(loaded_at) FROM raw.loads WHERE source_id = ?", [failure.source_id]
        ).fetchone()[0]
        written = latest is None or latest < failure.failed_at
        if written:
            con.execute("DELETE FROM raw.loads WHERE source_id = ?", [failure.source_id])
            con.execute(
                f"INSERT INTO raw.loads ({LOADS_COLUMNS}) "
                "VALUES (?, ?, ?, ?, NULL, ?, 0, 0, 'failed', ?, NULL)",
                [
                    failure.source_id,
                    failure.series_id,
                    failure.dataset,
                    failure.origin,
                    failure.failed_at,
                    safe_message(failure.message),
                ],
            )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return written


def remove_sources_except(
    con: duckdb.DuckDBPyConnection, keep: set[str]
) -> dict[str, dict[str, int]]:
    """Delete every raw row whose source_id is not in ``keep``; rows removed per source and table.

    Runs inside the caller's transaction, so the removal commits with whatever else it does.
    """
    con.register("kept_sources", pd.DataFrame({"source_id": sorted(keep)}, dtype=object))
    removed: dict[str, dict[str, int]] = {}
    try:
        tables = [dataset.table for dataset in DATASETS.values()] + list(SOURCE_META_TABLES)
        for table in tables:
            gone = con.execute(
                f"SELECT source_id, count(*) FROM raw.{table} "
                "WHERE source_id NOT IN (SELECT source_id FROM kept_sources) GROUP BY source_id"
            ).fetchall()
            for source_id, rows in gone:
                removed.setdefault(source_id, {})[table] = rows
            if gone:
                con.execute(
                    f"DELETE FROM raw.{table} "
                    "WHERE source_id NOT IN (SELECT source_id FROM kept_sources)"
                )
    finally:
        con.unregister("kept_sources")
    return removed

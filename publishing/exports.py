"""Parquet exports of the published tables: ``<EXPORT_DIR>/<schema>/<table>.parquet``.

Each publish writes a complete new folder (``.<name>-builds/<build_id>/`` beside EXPORT_DIR) and
then repoints EXPORT_DIR, a symbolic link, with one atomic rename: Spark, Trino, pandas or polars
see either the previous complete set of files or the new one. The previous build's folder is
kept, so a reader in the middle of a file finishes it; older ones are removed.
"""

from __future__ import annotations

import logging
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from publishing.sql import sql_string

log = logging.getLogger(__name__)

KEEP_BUILDS = 2  # the current build and the one before it


def builds_dir(export_dir: Path) -> Path:
    return export_dir.parent / f".{export_dir.name}-builds"


class ExportBuild:
    """The folder one publish writes its Parquet files into before it is swapped in."""

    def __init__(self, export_dir: Path, build_id: str) -> None:
        self.export_dir = export_dir
        self.build_id = build_id
        self.folder = builds_dir(export_dir) / build_id
        self.files: list[Path] = []

    def write_table(
        self, con: duckdb.DuckDBPyConnection, relation: str, schema: str, table: str
    ) -> int:
        """Write ``relation`` to ``<schema>/<table>.parquet``; the number of rows written."""
        target = self.folder / schema / f"{table}.parquet"
        target.parent.mkdir(parents=True, exist_ok=True)
        written = con.execute(
            f"copy (select * from {relation}) to {sql_string(str(target))} "
            "(format parquet, compression zstd)"
        ).fetchone()[0]
        self.files.append(target)
        return written

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _move_aside_real_folder(export_dir: Path) -> None:
    """A pre-existing real folder at EXPORT_DIR is kept (renamed), never deleted."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = builds_dir(export_dir) / f"previous-folder-{stamp}"
    aside.parent.mkdir(parents=True, exist_ok=True)
    export_dir.rename(aside)
    log.warning("moved the existing folder %s aside to %s", export_dir, aside)


def swap_exports(build: ExportBuild) -> None:
    """Point EXPORT_DIR at the new build in one rename, then prune old builds."""
    export_dir = build.export_dir
    build.folder.mkdir(parents=True, exist_ok=True)
    if export_dir.exists() and not export_dir.is_symlink():
        _move_aside_real_folder(export_dir)
    staged_link = export_dir.with_name(f".{export_dir.name}.{build.build_id}.link")
    staged_link.unlink(missing_ok=True)
    os.symlink(os.path.relpath(build.folder, export_dir.parent), staged_link)
    os.replace(staged_link, export_dir)
    _prune(build)


def _prune(current: ExportBuild) -> None:
    folders = sorted(
        (p for p in builds_dir(current.export_dir).iterdir() if p.is_dir()),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    keep = {current.folder.resolve()}
    for folder in folders:
        if len(keep) >= KEEP_BUILDS:
            break
        if not folder.name.startswith("previous-folder-"):
            keep.add(folder.resolve())
    for folder in folders:
        if folder.resolve() not in keep and not folder.name.startswith("previous-folder-"):
            shutil.rmtree(folder, ignore_errors=True)

"""`make docs`: the dbt documentation site, built offline into one static HTML file.

``dbt docs generate`` reads column types from the database, so it runs on a private snapshot of
the warehouse (copied under the pipeline's writer lock), never on the file a build is writing or
on the copy readers use. The result is ``DOCS_DIR`` (default ``reports/dbt-docs``)
``/static_index.html``: models, sources, tests, lineage and column descriptions, no server needed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ingest.config import REPO_ROOT, load_settings
from ingest.warehouse import writer_lock

DBT_DIR = REPO_ROOT / "dbt_project"


def docs_dir() -> Path:
    return load_settings().docs_dir


def _snapshot(private_db: Path, folder: Path) -> Path:
    # Same file name: dbt's relations name their catalog after the file.
    target = folder / private_db.name
    with writer_lock(private_db):
        shutil.copy(private_db, target)
        wal = private_db.with_name(private_db.name + ".wal")
        if wal.exists():
            shutil.copy(wal, target.with_name(target.name + ".wal"))
    return target


def build_docs(private_db: Path, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dbt-docs-") as tmp:
        snapshot = _snapshot(private_db, Path(tmp))
        env = {**os.environ, "WAREHOUSE_DB": str(snapshot)}
        command = [
            "dbt",
            "docs",
            "generate",
            "--static",
            "--profiles-dir",
            ".",
            "--target-path",
            str(out_dir),
            "--quiet",
        ]
        subprocess.run(command, cwd=DBT_DIR, env=env, check=True)
    return out_dir / "static_index.html"


def main() -> int:
    private_db = load_settings().warehouse_db
    if not private_db.exists():
        print(f"error: warehouse {private_db} not found; run `make run` first", file=sys.stderr)
        return 2
    try:
        page = build_docs(private_db, docs_dir())
    except subprocess.CalledProcessError as exc:
        print(f"error: dbt docs generate failed (exit {exc.returncode})", file=sys.stderr)
        return 1
    print(f"dbt docs written: {page}")
    print(f"open file://{page}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

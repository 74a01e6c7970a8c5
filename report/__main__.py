"""`python -m report`: read WAREHOUSE_DB, write REPORT_FILE (default reports/warehouse_report.html)."""

from __future__ import annotations

import sys

from ingest.config import load_settings
from report.build import build_report, default_report_file


def main() -> int:
    db_path = load_settings().warehouse_db
    if not db_path.exists():
        print(f"error: warehouse {db_path} not found; run `make run` first", file=sys.stderr)
        return 2
    path = build_report(db_path, default_report_file())
    print(f"report written: {path}")
    print(f"open file://{path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

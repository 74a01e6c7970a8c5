"""`python -m report`: read the published copy (SERVING_DB), write REPORT_FILE (default reports/warehouse_report.html)."""

from __future__ import annotations

import sys

from ingest.config import load_settings
from report.build import build_report, default_report_file


def main() -> int:
    db_path = load_settings().serving_db
    if not db_path.exists():
        print(f"error: no published warehouse at {db_path}; run `make run` first", file=sys.stderr)
        return 2
    path = build_report(db_path, default_report_file())
    print(f"report written: {path}")
    print(f"open file://{path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

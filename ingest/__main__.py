"""Plain-Python ingestion without Dagster: ``python -m ingest [series_id ...]``.

Useful for debugging a parser or a catalog entry; ``make run`` (Dagster) is the main job.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time

from ingest.catalog import load_catalog
from ingest.config import load_settings
from ingest.errors import IngestError
from ingest.pipeline import (
    check_landing_dir,
    ingest_entry,
    load_trading_sessions,
    sync_catalog_tables,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest", description=__doc__)
    parser.add_argument("series", nargs="*", help="catalog ids to load (default: all)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = load_settings()
    try:
        if not settings.is_live:
            check_landing_dir(settings)
        catalog = load_catalog(
            settings.series_file, None if settings.is_live else settings.landing_dir
        )
    except IngestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    started = time.monotonic()
    sync = sync_catalog_tables(settings, catalog)
    if sync.removed:
        print(sync.summary())
    load_trading_sessions(settings, catalog)
    entries = [e for e in catalog.entries if not args.series or e.id in args.series]
    failures = 0
    for i, entry in enumerate(entries, start=1):
        report = ingest_entry(settings, entry)
        status = "FAILED" if report.failed else "ok"
        print(
            f"[{i}/{len(entries)}] {entry.id:<18} {status:<6} rows={report.rows_loaded:>7} "
            f"rejects={report.rows_rejected:>5} ({report.seconds:.1f}s)"
        )
        for source in report.failed:
            print(f"    {source.source_id}: {source.message}")
        failures += len(report.failed)
    print(
        f"done in {time.monotonic() - started:.1f}s into {settings.warehouse_db}; failed sources: {failures}"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())

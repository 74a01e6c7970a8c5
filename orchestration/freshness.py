"""Data freshness per catalog entry: how old is the newest row, against a documented expectation.

One check ``fresh`` per ingest asset, all evaluated by one step that reads the raw tables once.
Age is counted in sessions of the entry's own trading calendar that closed after its newest row
(a weekend is not staleness for a stock) or, for hack data, in calendar days. In live mode a
source older than its expectation fails its check (WARN severity: visible in the UI, but a
stale upstream does not stop the other sources from being published). An offline build of a
dated snapshot (INGEST_MODE=landing) reports each source's age and passes.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

import dagster as dg
from dagster import AssetCheckExecutionContext
from dagster_dbt import DbtCliResource

from ingest.catalog import Catalog, SeriesEntry
from ingest.config import Settings
from ingest.warehouse import reader
from orchestration.ingest_assets import POOL, entry_datasets
from orchestration.resources import WarehouseSettings, dbt_cli

FRESH_CHECK = "fresh"


@dataclass(frozen=True)
class Expectation:
    max_age: int
    unit: str  # "sessions" of the entry's calendar, or "days"
    why: str


# One declaration per asset class; README "Operating it live" lists the same table.
EXPECTATIONS: dict[str, Expectation] = {
    "flow": Expectation(1, "sessions", "Farside posts each US session's flows the same evening"),
    "crypto": Expectation(2, "sessions", "daily klines close at 00:00 UTC every day"),
    "equity": Expectation(2, "sessions", "daily bars are final after each close"),
    "etf": Expectation(2, "sessions", "daily bars are final after each close"),
    "index": Expectation(2, "sessions", "daily closes are final after each close"),
    "commodity": Expectation(2, "sessions", "daily settlements are final after each close"),
    "rate": Expectation(3, "sessions", "FRED posts daily rates with a lag of a day or two"),
    "fx": Expectation(7, "sessions", "FRED's H.10 exchange rates are posted once a week"),
    "hack": Expectation(14, "days", "incidents are reported days apart, not daily"),
}
# The newest data day of each raw table (calendar events are scheduled ahead: no expectation).
DATE_COLUMNS = {
    "daily_bars": "bar_date",
    "etf_flows": "flow_date",
    "hacks_defillama": "incident_date",
    "hacks_slowmist": "incident_date",
    "hacks_defi_rekt": "incident_date",
    "hacks_rekt_news": "incident_date",
    "hacks_blocksec": "incident_time_utc",
}


def _checked_entries(catalog: Catalog) -> list[SeriesEntry]:
    return [e for e in catalog.entries if e.asset_class in EXPECTATIONS]


def _newest_days(con, entry: SeriesEntry) -> datetime | None:
    newest = None
    for table in sorted(entry_datasets(entry) & set(DATE_COLUMNS)):
        column = DATE_COLUMNS.get(table)
        if column is None:
            continue
        value = con.execute(
            f"select max(cast({column} as date)) from raw.{table} where source_id like ?",
            [f"{entry.id}:%"],
        ).fetchone()[0]
        if value is not None and (newest is None or value > newest):
            newest = value
    return newest


def _age(con, entry: SeriesEntry, newest, now: datetime, expectation: Expectation) -> int:
    if expectation.unit == "days" or not entry.calendar:
        return (now.date() - newest).days
    return con.execute(
        "select count(*) from raw.trading_sessions "
        "where calendar = ? and cast(session_date as date) > ? and close_utc <= ?",
        [entry.calendar, newest, now.replace(tzinfo=None)],
    ).fetchone()[0]


def evaluate(con, entry: SeriesEntry, now: datetime, live: bool) -> dg.AssetCheckResult:
    expectation = EXPECTATIONS[entry.asset_class]
    key = dg.AssetKey(["ingest", entry.id])
    newest = _newest_days(con, entry)
    if newest is None:
        return dg.AssetCheckResult(
            asset_key=key,
            check_name=FRESH_CHECK,
            passed=not live,
            severity=dg.AssetCheckSeverity.WARN,
            description="no rows loaded yet",
        )
    age = _age(con, entry, newest, now, expectation)
    stale = age > expectation.max_age
    expected = f"at most {expectation.max_age} {expectation.unit} ({expectation.why})"
    verdict = ("stale" if stale else "fresh") if live else "offline snapshot, not judged"
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=FRESH_CHECK,
        passed=not (live and stale),
        severity=dg.AssetCheckSeverity.WARN,
        description=f"newest row {newest}: {age} {expectation.unit} old; {verdict}; "
        f"live expectation {expected}",
        metadata={
            "newest_row": str(newest),
            f"age_{expectation.unit}": age,
            f"max_age_{expectation.unit}": expectation.max_age,
            "mode": "live" if live else "landing",
        },
    )


def build_freshness_checks(catalog: Catalog) -> list[dg.AssetChecksDefinition]:
    entries = _checked_entries(catalog)
    if not entries:
        return []

    @dg.multi_asset_check(
        specs=[
            dg.AssetCheckSpec(
                FRESH_CHECK,
                asset=dg.AssetKey(["ingest", e.id]),
                description=f"Newest row at most {EXPECTATIONS[e.asset_class].max_age} "
                f"{EXPECTATIONS[e.asset_class].unit} old in live mode "
                f"({EXPECTATIONS[e.asset_class].why}); offline builds report the age only.",
            )
            for e in entries
        ],
        can_subset=True,
        pool=POOL,
        name="source_freshness",
    )
    def source_freshness(
        context: AssetCheckExecutionContext, dbt: DbtCliResource, warehouse: WarehouseSettings
    ):
        settings = warehouse.settings
        now = datetime.now(UTC)
        selected = {key.asset_key for key in context.selected_asset_check_keys}
        results = []
        with reader(settings.warehouse_db) as con:
            for entry in entries:
                if dg.AssetKey(["ingest", entry.id]) in selected:
                    results.append((entry, evaluate(con, entry, now, settings.is_live)))
        # Live mode: dbt's own source freshness (how long ago each raw table was loaded) too.
        loaded = dbt_source_freshness(dbt, settings) if settings.is_live else {}
        for entry, result in results:
            yield with_dbt_freshness(result, entry, loaded)

    return [source_freshness]


def dbt_source_freshness(dbt: DbtCliResource, settings: Settings) -> dict[str, str]:
    """raw table -> "pass|warn|error, loaded <age> ago" from `dbt source freshness`."""
    invocation = dbt_cli(dbt, settings, ["source", "freshness"], raise_on_error=False).wait()
    try:
        results = invocation.get_artifact("sources.json").get("results", [])
    except Exception:  # noqa: BLE001 - dbt failed before writing results: report nothing
        return {}
    return {
        r["unique_id"].rsplit(".", 1)[-1]: (
            f"{r.get('status')}, loaded {r.get('max_loaded_at_time_ago_in_s', 0) / 3600:.1f} h ago"
        )
        for r in results
        if "unique_id" in r
    }


def with_dbt_freshness(
    result: dg.AssetCheckResult, entry: SeriesEntry, loaded: dict[str, str]
) -> dg.AssetCheckResult:
    tables = sorted(t for t in entry_datasets(entry) if t in loaded)
    if not tables:
        return result
    extra = {f"dbt_source_freshness_{t}": loaded[t] for t in tables}
    return result._replace(metadata={**result.metadata, **extra})

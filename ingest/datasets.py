"""Every table of schema ``raw``: its columns, their types and descriptions, keys and row rules.

This module is the one declaration of the raw layer. The loader, the catalog and calendar
writers and the event-config writer create their tables from it (``create_table_sql``), and
dbt's source file ``dbt_project/models/staging/_sources.yml`` is generated from it
(``python -m ingest.sources_yml``; a test fails when the two drift).

Parsers return a DataFrame with a dataset's *payload columns* plus ``source_line``; the loader
adds the lineage columns and enforces the rules declared here (keys, positivity), so every
parser gets the same treatment of duplicates and bad values. Staging keeps the latest row per
the same key (the generated source carries it as ``meta.row_key``), or per the coarser
``staging_key`` where a dataset declares one (``meta.staging_key``).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # DuckDB type
    description: str
    constraint: str = ""  # DDL after the type (primary key, not null), where the table has one


@dataclass(frozen=True, kw_only=True)
class RawTable:
    """A table of schema ``raw`` as dbt sees it (a source table)."""

    table: str
    description: str
    columns: tuple[Column, ...]
    # dbt source freshness: the column that says when rows were written, or None when the
    # table is rewritten whole on every run (or empty is good news) and carries no check.
    loaded_at_field: str | None = "loaded_at"

    @property
    def all_columns(self) -> tuple[Column, ...]:
        """Every column of the table, in table order."""
        return self.columns

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


@dataclass(frozen=True, kw_only=True)
class Dataset(RawTable):
    """A raw table the loader fills from parsed payloads: payload columns plus lineage."""

    key: tuple[str, ...]  # unique within one source_id; duplicates are checked by the loader
    positive: tuple[str, ...] = ()  # values that must be > 0 when present (prices)
    required: tuple[str, ...] = ()  # values that must not be null
    list_columns: tuple[str, ...] = field(default=())
    # Staging keeps one row (the latest load's first line) per source_id and these columns, where
    # they are fewer than the key: rows the loader keeps apart that staging counts as one.
    staging_key: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        declared = set(self.column_names)
        for name, columns in (("key", self.key), ("staging_key", self.staging_key)):
            if not set(columns) <= declared:
                raise ValueError(f"{self.table}: {name} names undeclared columns {columns}")
        if self.staging_key and not set(self.staging_key) < set(self.key):
            raise ValueError(f"{self.table}: staging_key must be a part of key {self.key}")

    @property
    def all_columns(self) -> tuple[Column, ...]:
        return self.columns + LINEAGE_COLUMNS


# Added by the loader to every raw row.
LINEAGE_COLUMNS: tuple[Column, ...] = (
    Column(
        "source_id",
        "VARCHAR",
        "Catalog source that produced the row: '<series id>:<file stem>' or '<series id>:live'.",
    ),
    Column(
        "origin",
        "VARCHAR",
        "File path (relative to the landing folder) or URL the payload came from.",
    ),
    Column(
        "payload_sha256", "VARCHAR", "SHA-256 of the verbatim payload, as archived in raw.payloads."
    ),
    Column(
        "source_line",
        "INTEGER",
        "1-based line (CSV) or record number (JSON) of the row in its payload.",
    ),
    Column("loaded_at", "TIMESTAMPTZ", "When the loader wrote the row (UTC)."),
)

SERIES_ID = Column("series_id", "VARCHAR", "Catalog id of the series the row belongs to.")

DAILY_BARS = Dataset(
    table="daily_bars",
    description="Daily bars (or single daily values) of every price, index, FX and rate series, one row "
    "per source and day.",
    columns=(
        SERIES_ID,
        Column(
            "bar_date", "DATE", "Trading day (exchange-local date) or UTC day for 24/7 markets."
        ),
        Column(
            "open", "DOUBLE", "Opening price/value, if the source has it (source quote convention)."
        ),
        Column("high", "DOUBLE", "High of the day, if the source has it."),
        Column("low", "DOUBLE", "Low of the day, if the source has it."),
        Column(
            "close",
            "DOUBLE",
            "Closing price/value as published (adjusted where the source adjusts).",
        ),
        Column("adj_close", "DOUBLE", "Separate adjusted close, where the source carries one."),
        Column("volume", "DOUBLE", "Volume in the source's unit (shares, base coin, contracts)."),
        Column("quote_volume", "DOUBLE", "Volume in quote currency (USDT, USD), where published."),
        Column("dividends", "DOUBLE", "Cash dividend paid on the day (yfinance exports)."),
        Column("stock_splits", "DOUBLE", "Split ratio effective on the day (yfinance exports)."),
        Column(
            "is_perpetual",
            "BOOLEAN",
            "True when the bar is a perpetual future (Bybit linear), not spot.",
        ),
    ),
    key=("series_id", "bar_date"),
    positive=("open", "high", "low", "close", "adj_close"),
    required=("series_id", "bar_date", "close"),
)

ETF_FLOWS = Dataset(
    table="etf_flows",
    description="Farside US spot ETF daily net flows per fund, as published (US$ millions; empty cells "
    "null).",
    columns=(
        Column("product", "VARCHAR", "BTC or ETH spot ETFs."),
        Column("flow_date", "DATE", "US trading day (America/New_York)."),
        Column("fund", "VARCHAR", "Fund ticker as Farside heads its column, or 'Total'."),
        Column(
            "flow_usd_millions",
            "DOUBLE",
            "Net flow in US$ millions; null where the cell is empty ('-').",
        ),
        Column(
            "row_all_empty",
            "BOOLEAN",
            "True when every fund cell of the date's row is empty (Farside's market-closed marker; "
            "Total is then 0.0).",
        ),
    ),
    key=("product", "flow_date", "fund"),
    required=("product", "flow_date", "fund"),
)

HACKS_DEFILLAMA = Dataset(
    table="hacks_defillama",
    description="DeFiLlama /hacks records (primary hack table).",
    columns=(
        Column("incident_date", "DATE", "UTC day of the incident (from unix seconds)."),
        Column("name", "VARCHAR", "Protocol or target name, whitespace trimmed."),
        Column("classification", "VARCHAR", "DeFiLlama classification."),
        Column("technique", "VARCHAR", "Attack technique."),
        Column("amount_usd", "DOUBLE", "Loss in USD; null when DeFiLlama has none."),
        Column("chains", "VARCHAR[]", "Chains affected."),
        Column("bridge_hack", "BOOLEAN", "DeFiLlama bridgeHack flag."),
        Column("target_type", "VARCHAR", "Target type (CEX, DeFi protocol, ...)."),
        Column("source_url", "VARCHAR", "Reference URL."),
        Column("returned_usd", "DOUBLE", "Funds returned in USD (DeFiLlama's figure)."),
        Column("defillama_id", "VARCHAR", "DeFiLlama protocol id, where set."),
        Column("language", "VARCHAR", "Smart-contract language."),
        Column("parent_protocol_id", "VARCHAR", "Parent protocol id, where set."),
    ),
    key=("name", "incident_date", "amount_usd"),
    required=("incident_date", "name"),
    list_columns=("chains",),
)

HACKS_SLOWMIST = Dataset(
    table="hacks_slowmist",
    description="SlowMist Hacked records (broad scope: CEX, wallets, phishing, rug pulls).",
    columns=(
        Column("incident_date", "DATE", "Incident day."),
        Column("name", "VARCHAR", "Target name."),
        Column("description", "VARCHAR", "Description with HTML entities decoded."),
        Column(
            "loss_usd_reported",
            "DOUBLE",
            "Loss in USD exactly as SlowMist reports it; 0.0 where it has no figure (staging "
            "reads that as unknown).",
        ),
        Column("attack_method", "VARCHAR", "SlowMist attack method."),
        Column("reference_url", "VARCHAR", "Reference link."),
    ),
    # No id: two reports of one incident differ by reference, so it is part of the key, and
    # the loader keeps both; staging keeps one per incident, the first line (FarmEOS, 2019-01-15,
    # has two). stg_hacks_slowmist's hack_id is a hash of source_id and the staging_key.
    key=("incident_date", "name", "loss_usd_reported", "attack_method", "reference_url"),
    staging_key=("incident_date", "name", "loss_usd_reported", "attack_method"),
    required=("incident_date", "name"),
)

HACKS_DEFI_REKT = Dataset(
    table="hacks_defi_rekt",
    description="De.Fi REKT database records (all categories, scams included; staging filters to exploits).",
    columns=(
        Column("rekt_id", "VARCHAR", "De.Fi record id."),
        Column("incident_date", "DATE", "Incident day; null where De.Fi leaves it blank."),
        Column("name", "VARCHAR", "Project name."),
        Column("category", "VARCHAR", "Project category (CeFi, DEX, ...)."),
        Column("chain", "VARCHAR", "Chain; blank for CeFi."),
        Column("funds_lost_usd", "DOUBLE", "Funds lost in USD."),
        Column("funds_recovered_usd", "DOUBLE", "Funds recovered in USD."),
        Column("funds_returned_usd", "DOUBLE", "Funds returned in USD."),
        Column("scam_type", "VARCHAR", "De.Fi scam type."),
        Column(
            "scam_parent",
            "VARCHAR",
            "De.Fi parent category, e.g. 'Exploit/...' or 'Exit Scam/Rugpull'.",
        ),
    ),
    key=("rekt_id",),
    required=("rekt_id", "name"),
)

HACKS_BLOCKSEC = Dataset(
    table="hacks_blocksec",
    description="BlockSec Security Incidents Library records (the only hack source with intraday times "
    "and tx hashes).",
    columns=(
        Column("incident_id", "VARCHAR", "BlockSec record id."),
        Column("project", "VARCHAR", "Project name."),
        Column(
            "incident_time_utc",
            "TIMESTAMP",
            "Incident instant in UTC, naive (from unix milliseconds).",
        ),
        Column("loss_usd", "DOUBLE", "Loss in USD."),
        Column("rescued_usd", "DOUBLE", "Rescued amount in USD."),
        Column("chain_ids", "VARCHAR[]", "EVM chain ids involved."),
        Column("root_cause", "VARCHAR", "BlockSec root-cause label."),
        Column("media_url", "VARCHAR", "Write-up URL."),
        Column("first_tx_time_utc", "TIMESTAMP", "Earliest attack transaction time in UTC, naive."),
        Column("tx_hashes", "VARCHAR[]", "Attack transaction hashes, earliest first."),
    ),
    key=("incident_id",),
    required=("incident_id", "project"),
    list_columns=("chain_ids", "tx_hashes"),
)

HACKS_REKT_NEWS = Dataset(
    table="hacks_rekt_news",
    description="rekt.news leaderboard entries (from the page's embedded __NEXT_DATA__ JSON).",
    columns=(
        Column("slug", "VARCHAR", "Article slug."),
        Column("title", "VARCHAR", "Leaderboard title."),
        Column("incident_date", "DATE", "Incident day (rekt.date)."),
        Column("published_date", "DATE", "Article publication day."),
        Column(
            "amount_usd",
            "DOUBLE",
            "rekt.news valuation of the loss in USD (its own valuation, not always at incident time).",
        ),
        Column("audit", "VARCHAR", "Audit status text."),
        Column("tags", "VARCHAR[]", "Tags."),
    ),
    key=("slug",),
    required=("slug", "title"),
    list_columns=("tags",),
)

CALENDAR_EVENTS = Dataset(
    table="calendar_events",
    description="Macro and corporate calendars: FOMC decisions, CPI/NFP releases, earnings dates.",
    columns=(
        Column("event_date", "DATE", "Day of the announcement."),
        Column("event_name", "VARCHAR", "Name of the event."),
        Column("event_type", "VARCHAR", "fomc, cpi, nfp or earnings."),
        Column("ticker", "VARCHAR", "Company ticker for earnings dates; null otherwise."),
        Column("timing", "VARCHAR", "BMO/AMC for earnings; null otherwise."),
    ),
    key=("event_date", "event_type", "ticker"),
    required=("event_date", "event_type"),
)

DATASETS: dict[str, Dataset] = {
    d.table: d
    for d in (
        DAILY_BARS,
        ETF_FLOWS,
        HACKS_DEFILLAMA,
        HACKS_SLOWMIST,
        HACKS_DEFI_REKT,
        HACKS_BLOCKSEC,
        HACKS_REKT_NEWS,
        CALENDAR_EVENTS,
    )
}


# ------------------------------------------------------------------ load log (ingest/loader.py)
PAYLOADS = RawTable(
    table="payloads",
    description=(
        "Archive log of every payload (file or HTTP response) read, with its content hash, "
        "before parsing."
    ),
    columns=(
        Column("payload_sha256", "VARCHAR", "SHA-256 of the verbatim payload bytes."),
        Column(
            "origin", "VARCHAR", "File path (relative to the landing folder) or URL of the payload."
        ),
        Column("source_id", "VARCHAR", "Catalog source the payload was read for."),
        Column("received_at", "TIMESTAMPTZ", "When the payload was read or fetched (UTC)."),
        Column("size_bytes", "BIGINT", "Size of the payload in bytes."),
        Column("archive_path", "VARCHAR", "Where the verbatim copy is archived on disk."),
    ),
    loaded_at_field="received_at",
)

LOADS = RawTable(
    table="loads",
    description="One row per load attempt of a source (status loaded or failed).",
    columns=(
        Column("source_id", "VARCHAR", "Catalog source that was loaded."),
        Column("series_id", "VARCHAR", "Catalog series the source belongs to."),
        Column(
            "dataset",
            "VARCHAR",
            "Raw table the source loads into (daily_bars, etf_flows, ...); '?' when a live fetch "
            "failed before its format was known.",
        ),
        Column("origins", "VARCHAR", "Origin(s) of the payload(s) loaded, '; '-separated."),
        Column(
            "payload_sha256",
            "VARCHAR",
            "SHA-256 of the payload (comma-separated when several); null for failures.",
        ),
        Column("loaded_at", "TIMESTAMPTZ", "When the load attempt finished (UTC)."),
        Column("rows_loaded", "BIGINT", "Rows written to the raw table."),
        Column("rows_rejected", "BIGINT", "Rows written to raw.rejects."),
        Column("status", "VARCHAR", "loaded or failed."),
        Column("message", "VARCHAR", "Error message of a failed load; null otherwise."),
        Column(
            "recipe_sha256",
            "VARCHAR",
            "SHA-256 of what turned the payload into rows (parser and rule code, the catalog "
            "entry's settings); a source is reloaded only when its payload or its recipe changed.",
        ),
    ),
)

REJECTS = RawTable(
    table="rejects",
    description="Rows the parsers or the loader's row rules refused, with a reason.",
    columns=(
        Column("dataset", "VARCHAR", "Raw table the row was meant for."),
        Column("source_id", "VARCHAR", "Catalog source of the row."),
        Column("series_id", "VARCHAR", "Catalog series of the source."),
        Column("origin", "VARCHAR", "Origin(s) of the payload."),
        Column("payload_sha256", "VARCHAR", "SHA-256 of the payload."),
        Column("line", "INTEGER", "1-based line or record number in the payload, where known."),
        Column("column_name", "VARCHAR", "Column (or key columns) at fault, where one is."),
        Column("reason", "VARCHAR", "Why the row was rejected."),
        Column(
            "raw_value",
            "VARCHAR",
            "Offending value as text (first 500 characters), where one is.",
        ),
        Column("loaded_at", "TIMESTAMPTZ", "When the reject was written (UTC)."),
    ),
    loaded_at_field=None,  # an empty rejects table is good news, not stale data
)

# ------------------------------------------------------------------ catalog and calendars
# Rewritten whole on every run (ingest/pipeline.py), so they carry no freshness check.
SERIES = RawTable(
    table="series",
    description=(
        "The catalog (catalog/series.yml) as written by the last ingest run, one row per series."
    ),
    columns=(
        Column(
            "series_id",
            "VARCHAR",
            "Catalog id of the series (lower-case, e.g. nvda, btc, usdhkd, dxy).",
        ),
        Column("name", "VARCHAR", "Human-readable name."),
        Column(
            "asset_class",
            "VARCHAR",
            "crypto, equity, index, etf, fx, commodity, rate, flow, hack or calendar.",
        ),
        Column(
            "calendar",
            "VARCHAR",
            "Trading calendar (exchange_calendars code such as XNYS, XHKG, or '24/7'); null for "
            "non-price series.",
        ),
        Column("currency", "VARCHAR", "Currency the values are quoted in."),
        Column(
            "quote_convention",
            "VARCHAR",
            "FX quote convention of the pair (e.g. USDHKD = HKD per USD); one per pair.",
        ),
        Column(
            "unit",
            "VARCHAR",
            "Unit of the values where not a price (percent, index points, US$ millions, ...).",
        ),
        Column(
            "benchmark_series_id",
            "VARCHAR",
            "Default benchmark series for abnormal returns; null when none.",
        ),
        Column("description", "VARCHAR", "Free-text description from the catalog."),
        Column(
            "live_source",
            "VARCHAR",
            "Live connector (yahoo_chart, fred, binance_klines, defillama_hacks, farside), if any.",
        ),
        Column("catalog_path", "VARCHAR", "File name of the catalog the row was read from."),
        Column("loaded_at", "TIMESTAMPTZ", "When the catalog was written to raw (UTC)."),
    ),
    loaded_at_field=None,
)

SERIES_SOURCES = RawTable(
    table="series_sources",
    description=(
        "Every source (landing file or live feed) of every catalog series, ranked by precedence."
    ),
    columns=(
        Column("source_id", "VARCHAR", "'<series id>:<landing name>' or '<series id>:live'."),
        Column("series_id", "VARCHAR", "Catalog series the source belongs to."),
        Column("kind", "VARCHAR", "landing or live."),
        Column(
            "landing_path",
            "VARCHAR",
            "Landing file path relative to the landing folder; null for live.",
        ),
        Column(
            "format", "VARCHAR", "Parser format of the landing file, or the live connector name."
        ),
        Column(
            "dataset",
            "VARCHAR",
            "Raw table the source loads into; null for live sources (known only after fetching).",
        ),
        Column(
            "is_primary",
            "BOOLEAN",
            "True for primary sources (several primary files are parts of one stitched series).",
        ),
        Column(
            "precedence",
            "BIGINT",
            "Rank within the series, 1 = preferred (live, then later primary parts, then "
            "secondary files).",
        ),
        Column(
            "invert",
            "BOOLEAN",
            "True when the source quotes the pair the other way round and its quotes must be "
            "taken as 1/x.",
        ),
        Column("loaded_at", "TIMESTAMPTZ", "When the catalog was written to raw (UTC)."),
    ),
    loaded_at_field=None,
)

TRADING_SESSIONS = RawTable(
    table="trading_sessions",
    description=(
        "Trading sessions of every calendar the catalog uses (XNYS always), from "
        "exchange_calendars; 24/7 has one session per UTC day."
    ),
    columns=(
        Column("calendar", "VARCHAR", "Calendar code (XNYS, XHKG, ..., or '24/7')."),
        Column(
            "session_date",
            "TIMESTAMP_NS",
            "Session label (exchange-local date), stored as a timestamp at midnight.",
        ),
        Column("open_utc", "TIMESTAMP_NS", "Session open, naive UTC timestamp."),
        Column(
            "close_utc",
            "TIMESTAMP_NS",
            "Session close, naive UTC timestamp (early closes included).",
        ),
        Column("is_early_close", "BOOLEAN", "True on early-close (half-day) sessions."),
        Column("loaded_at", "TIMESTAMPTZ", "When the sessions were written to raw (UTC)."),
    ),
    loaded_at_field=None,
)

# ------------------------------------------------------------------ event catalogue and studies
# Written by ingest/event_config.py from EVENTS_FILE and STUDIES_FILE, replaced whole each time.
_CONFIG_LOADED_AT = Column(
    "loaded_at", "TIMESTAMP", "When the file was written to raw (naive UTC)."
)
_CONFIG_SOURCE_LINE = Column(
    "source_line", "INTEGER", "1-based line of the row (CSV) or study (YAML) in its file."
)
_CONFIG_ORIGIN = Column("origin", "VARCHAR", "Path of the file the row was read from.")

EVENTS = RawTable(
    table="events",
    description="Curated event catalogue (EVENTS_FILE), one row per event; instants in naive UTC.",
    columns=(
        Column("event_id", "VARCHAR", "Event id, unique in the catalogue.", "primary key"),
        Column("event_name", "VARCHAR", "Name of the event.", "not null"),
        Column("event_type", "VARCHAR", "Type of the event (hack, macro, ...).", "not null"),
        Column(
            "event_time_utc",
            "TIMESTAMP",
            "Instant of the event (naive UTC); midnight when only the day is known.",
            "not null",
        ),
        Column("has_time", "BOOLEAN", "True when the catalogue gives a time of day.", "not null"),
        Column("asset_id", "VARCHAR", "Series the event is about, where one is."),
        Column("amount_usd", "DOUBLE", "Amount of the event in USD (a hack's loss), where one is."),
        Column("source_url", "VARCHAR", "Reference for the event."),
        Column("notes", "VARCHAR", "Free-text notes."),
        _CONFIG_SOURCE_LINE,
        _CONFIG_ORIGIN,
        _CONFIG_LOADED_AT,
    ),
    loaded_at_field=None,
)

STUDIES = RawTable(
    table="studies",
    description="One row per event study (STUDIES_FILE).",
    columns=(
        Column("study_id", "VARCHAR", "Study id, unique in the file.", "primary key"),
        Column(
            "model",
            "VARCHAR",
            "Return model: raw, mean_adjusted, market_adjusted or market_model.",
            "not null",
        ),
        Column("benchmark_asset_id", "VARCHAR", "Benchmark series of the market model, if any."),
        Column(
            "returns",
            "VARCHAR",
            "Returns used: simple, log or level (the value itself: flow series).",
            "not null",
        ),
        Column(
            "estimation_start",
            "INTEGER",
            "First day of the estimation window, in trading days relative to day 0.",
            "not null",
        ),
        Column(
            "estimation_end",
            "INTEGER",
            "Last day of the estimation window, in trading days relative to day 0.",
            "not null",
        ),
        Column(
            "anchor",
            "VARCHAR",
            "Day 0 when the event falls outside a session: the next or the previous session.",
            "not null",
        ),
        Column(
            "min_estimation_days",
            "INTEGER",
            "Fewest estimation days a pair needs to be studied.",
            "not null",
        ),
        _CONFIG_SOURCE_LINE,
        _CONFIG_ORIGIN,
        _CONFIG_LOADED_AT,
    ),
    loaded_at_field=None,
)

_STUDY_ID = Column("study_id", "VARCHAR", "Study the entry belongs to.", "not null")
_POSITION = Column("position", "INTEGER", "1-based position of the entry in the study.", "not null")

STUDY_EVENT_WINDOWS = RawTable(
    table="study_event_windows",
    description=("Event windows [window_start, window_end] of each study, relative trading days."),
    columns=(
        _STUDY_ID,
        _POSITION,
        Column(
            "window_start", "INTEGER", "First day of the window, relative to day 0.", "not null"
        ),
        Column("window_end", "INTEGER", "Last day of the window, relative to day 0.", "not null"),
        _CONFIG_LOADED_AT,
    ),
    loaded_at_field=None,
)

STUDY_SELECTORS = RawTable(
    table="study_selectors",
    description=(
        "Entries of a study's `events` key, an event id or a selector (event_type, min_amount_usd)."
    ),
    columns=(
        _STUDY_ID,
        _POSITION,
        Column("event_id", "VARCHAR", "Event id the entry names, or null for a selector."),
        Column("event_type", "VARCHAR", "Event type a selector takes, or null."),
        Column("min_amount_usd", "DOUBLE", "Smallest amount in USD a selector takes, or null."),
        _CONFIG_LOADED_AT,
    ),
    loaded_at_field=None,
)

STUDY_ASSETS = RawTable(
    table="study_assets",
    description="Entries of a study's `assets` key, an asset id, an asset class or `event`.",
    columns=(
        _STUDY_ID,
        _POSITION,
        Column(
            "asset_ref",
            "VARCHAR",
            "A series id, an asset class, or `event` (the event's own series).",
            "not null",
        ),
        _CONFIG_LOADED_AT,
    ),
    loaded_at_field=None,
)

LOAD_LOG_TABLES: dict[str, RawTable] = {t.table: t for t in (PAYLOADS, LOADS, REJECTS)}
CATALOG_TABLES: dict[str, RawTable] = {
    t.table: t for t in (SERIES, SERIES_SOURCES, TRADING_SESSIONS)
}
EVENT_CONFIG_TABLES: dict[str, RawTable] = {
    t.table: t for t in (EVENTS, STUDIES, STUDY_EVENT_WINDOWS, STUDY_SELECTORS, STUDY_ASSETS)
}
# Every table of schema raw, in the order the dbt source file lists them.
RAW_TABLES: dict[str, RawTable] = {
    **DATASETS,
    **LOAD_LOG_TABLES,
    **CATALOG_TABLES,
    **EVENT_CONFIG_TABLES,
}


def create_table_sql(table: RawTable, *, replace: bool = False) -> str:
    """``CREATE TABLE`` of ``raw.<table>`` from its declaration (IF NOT EXISTS unless replace)."""
    columns = ", ".join(
        f'"{c.name}" {c.type}{" " + c.constraint if c.constraint else ""}'
        for c in table.all_columns
    )
    head = "CREATE OR REPLACE TABLE" if replace else "CREATE TABLE IF NOT EXISTS"
    return f"{head} raw.{table.table} ({columns})"

"""The raw tables (one per dataset): their columns, keys and row rules.

Parsers return a DataFrame with a dataset's *payload columns* plus ``source_line``; the loader
adds the lineage columns and enforces the rules declared here (keys, positivity), so every
parser gets the same treatment of duplicates and bad values.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # DuckDB type
    description: str


@dataclass(frozen=True)
class Dataset:
    table: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # unique within one source_id; duplicates are checked by the loader
    positive: tuple[str, ...] = ()  # values that must be > 0 when present (prices)
    required: tuple[str, ...] = ()  # values that must not be null
    list_columns: tuple[str, ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


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
    description="Daily bars (or single daily values) of every price, index, FX and rate series.",
    columns=(
        SERIES_ID,
        Column(
            "bar_date", "DATE", "Trading day (exchange-local date) or UTC day for 24/7 markets."
        ),
        Column("open", "DOUBLE", "Opening price/value, if the source has it."),
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
    description="Farside US spot ETF daily net flows per fund, as published (US$ millions).",
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
            "True when every fund cell of the date's row is empty (Farside's market-closed marker).",
        ),
    ),
    key=("product", "flow_date", "fund"),
    required=("product", "flow_date", "fund"),
)

HACKS_DEFILLAMA = Dataset(
    table="hacks_defillama",
    description="DeFiLlama /hacks records.",
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
    description="SlowMist Hacked records.",
    columns=(
        Column("incident_date", "DATE", "Incident day."),
        Column("name", "VARCHAR", "Target name."),
        Column("description", "VARCHAR", "Description with HTML entities decoded."),
        Column(
            "loss_usd", "DOUBLE", "Loss in USD; null where SlowMist reports 0.0 (loss unknown)."
        ),
        Column("loss_usd_reported", "DOUBLE", "Loss exactly as SlowMist reports it (0.0 kept)."),
        Column("attack_method", "VARCHAR", "SlowMist attack method."),
        Column("reference_url", "VARCHAR", "Reference link."),
    ),
    # No id: two reports of one incident differ by reference, so it is part of the key.
    key=("incident_date", "name", "loss_usd_reported", "attack_method", "reference_url"),
    required=("incident_date", "name"),
)

HACKS_DEFI_REKT = Dataset(
    table="hacks_defi_rekt",
    description="De.Fi REKT database records (all categories, scams included; staging filters).",
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
    description="BlockSec Security Incidents Library records.",
    columns=(
        Column("incident_id", "VARCHAR", "BlockSec record id."),
        Column("project", "VARCHAR", "Project name."),
        Column("incident_time_utc", "TIMESTAMP", "Incident instant in UTC (from milliseconds)."),
        Column("loss_usd", "DOUBLE", "Loss in USD."),
        Column("rescued_usd", "DOUBLE", "Rescued amount in USD."),
        Column("chain_ids", "VARCHAR[]", "EVM chain ids involved."),
        Column("root_cause", "VARCHAR", "BlockSec root-cause label."),
        Column("media_url", "VARCHAR", "Write-up URL."),
        Column("first_tx_time_utc", "TIMESTAMP", "Earliest attack transaction time in UTC."),
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
        Column("amount_usd", "DOUBLE", "rekt.news valuation of the loss in USD."),
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
        Column("ticker", "VARCHAR", "Company ticker for earnings dates."),
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

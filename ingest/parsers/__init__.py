"""One parser per wire format. ``FORMATS`` maps a catalog ``format`` name to its parser.

Each parser module exposes ``parse(payload: bytes, ctx: ParseContext) -> ParseResult``.
The same parser serves the live API and the landing file wherever the bytes are the same
(FRED CSV, DeFiLlama /hacks JSON).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from ingest.datasets import DATASETS, Dataset
from ingest.parsers.base import ParseContext, Parser, ParseResult, Reject


@dataclass(frozen=True)
class Format:
    name: str
    module: str
    dataset: str
    description: str

    @property
    def parser(self) -> Parser:
        return importlib.import_module(f"ingest.parsers.{self.module}").parse

    @property
    def target(self) -> Dataset:
        return DATASETS[self.dataset]


_FORMATS = (
    # prices, FX, rates
    Format(
        "csv",
        "generic_csv",
        "daily_bars",
        "Generic CSV: date_column, value_column (+ optional OHLCV columns, delimiter, decimal, date_format).",
    ),
    Format(
        "yahoo_csv",
        "yahoo_csv",
        "daily_bars",
        "yfinance CSV exports: tz-suffixed dates, ';' and decimal commas, 3-line multi-index headers, close-only files.",
    ),
    Format("yahoo_chart_json", "yahoo_chart", "daily_bars", "Yahoo Finance v8 chart API JSON."),
    Format(
        "wsj_csv",
        "wsj_csv",
        "daily_bars",
        "WSJ/MarketWatch historical prices: MM/DD/YY, newest first.",
    ),
    Format(
        "fred_csv",
        "fred_csv",
        "daily_bars",
        "FRED CSV (observation_date,SERIES or date,value); empty or '.' = no observation.",
    ),
    Format(
        "binance_klines_csv",
        "binance_klines",
        "daily_bars",
        "Binance /api/v3/klines 1d bars saved as CSV (duplicated header columns tolerated).",
    ),
    Format(
        "binance_klines_json", "binance_klines", "daily_bars", "Binance /api/v3/klines JSON array."
    ),
    Format(
        "binance_hourly_close_csv",
        "binance_hourly",
        "daily_bars",
        "Binance hourly closes (open_time UTC, close) turned into daily closes at 00:00 UTC.",
    ),
    Format(
        "bybit_klines_csv",
        "bybit_klines",
        "daily_bars",
        "Bybit v5 linear (USDT perpetual) daily klines.",
    ),
    Format(
        "cryptoquant_csv",
        "cryptoquant_csv",
        "daily_bars",
        "CryptoQuant daily OHLCV export (UTC days, blank early rows).",
    ),
    Format(
        "tushare_index_csv",
        "tushare_csv",
        "daily_bars",
        "Tushare index_global export (trade_date, OHLC, pre_close, pct_chg, vol).",
    ),
    Format(
        "strategy_mnav_csv",
        "strategy_csv",
        "daily_bars",
        "strategy.com MSTR daily file (quoted header, newest first).",
    ),
    # ETF flows
    Format(
        "farside_csv",
        "farside",
        "etf_flows",
        "Farside daily flows per fund as CSV (US$ millions, empty = '-').",
    ),
    Format(
        "farside_html",
        "farside",
        "etf_flows",
        "Farside 'all data' web page table (US$ millions, parentheses negatives).",
    ),
    # hacks
    Format(
        "defillama_hacks_json", "defillama_hacks", "hacks_defillama", "DeFiLlama /hacks JSON array."
    ),
    Format("slowmist_csv", "slowmist_csv", "hacks_slowmist", "SlowMist Hacked CSV."),
    Format("defi_rekt_csv", "defi_rekt_csv", "hacks_defi_rekt", "De.Fi REKT database CSV."),
    Format(
        "blocksec_json", "blocksec_json", "hacks_blocksec", "BlockSec incidents JSON {count, list}."
    ),
    Format(
        "rekt_news_html",
        "rekt_news_html",
        "hacks_rekt_news",
        "rekt.news leaderboard HTML with __NEXT_DATA__ JSON.",
    ),
    # calendars
    Format(
        "event_calendar_csv",
        "event_calendar_csv",
        "calendar_events",
        "FOMC dates, macro release calendar or earnings dates CSV.",
    ),
)

FORMATS: dict[str, Format] = {f.name: f for f in _FORMATS}

__all__ = ["FORMATS", "Format", "ParseContext", "ParseResult", "Parser", "Reject"]

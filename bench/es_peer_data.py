"""Inputs of the event-study peers, built independently of the engine's SQL.

The peers (``bench.es_numpy_peer``, ``bench.es_notebook_peer``) read only what a notebook user
would: closes (``marts.fct_daily_prices``), trading sessions (``staging.stg_trading_sessions``),
the asset catalogue (``marts.dim_asset``), the events CSV and the study YAML the benchmark wrote.
Returns, benchmark returns and day 0 are computed here with NumPy, following the conventions the
marts document (README "Event studies", EVENT_STUDY_METHODS.md):

- sessions of the asset's calendar between its first and last price; a session without a price
  has no return, the next priced session's return runs from the last available close;
- the benchmark is compounded over the asset's session-to-session interval: its last close at or
  before the asset's close instant over its last close at or before the previous priced close
  instant; none when that price is more than 10 days stale or the asset has no previous close;
- day 0: ``next`` = first session closing after the event instant; ``previous`` = the last
  session opening at or before it (the session in progress, or the last one before);
- an event dated before the asset's first session or after the day after its last is outside
  the data.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import yaml

STALE_NS = np.int64(10 * 86_400 * 10**9)  # benchmark price older than 10 days: missing
DAY_NS = np.int64(86_400 * 10**9)


@dataclass
class Series:
    """One asset's sessions with its returns and its benchmark's returns over them."""

    asset_id: str
    dates: np.ndarray  # datetime64[D] session dates
    open_ns: np.ndarray  # int64 open instants (ns, naive UTC)
    close_ns: np.ndarray  # int64 close instants
    r: np.ndarray  # asset return, NaN without one
    m: np.ndarray  # benchmark return over the asset's interval, NaN without one


@dataclass
class Study:
    study_id: str
    model: str
    returns: str
    anchor: str
    est: tuple[int, int]
    windows: list[tuple[int, int]]
    min_days: int


@dataclass
class Pair:
    event_id: str
    asset_id: str
    day0: int | None  # 0-based session position, None when outside the data
    reason: str | None = None


@dataclass
class PeerInputs:
    study: Study
    series: dict[str, Series]
    pairs: list[Pair] = field(default_factory=list)
    excluded: list[Pair] = field(default_factory=list)


def read_study(studies_file: Path) -> Study:
    item = yaml.safe_load(studies_file.read_text(encoding="utf-8"))[0]
    return Study(
        study_id=item["id"],
        model=item["model"],
        returns=item.get("returns", "simple"),
        anchor=item.get("anchor", "next"),
        est=tuple(item["estimation_window"]),
        windows=[tuple(w) for w in item["event_windows"]],
        min_days=int(item.get("min_estimation_days", 30)),
    )


def read_events(events_file: Path) -> list[tuple[str, np.int64, str | None]]:
    """(event_id, instant in ns naive UTC, asset or None); a date alone is 00:00 UTC."""
    out = []
    with events_file.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            text = row["event_time"].strip()
            if "T" in text:
                when = dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
            else:
                when = dt.datetime.strptime(text, "%Y-%m-%d")
            ns = np.datetime64(when, "ns").astype(np.int64)
            out.append((row["event_id"], ns, row["asset_id"].strip().lower() or None))
    return out


def _ns(values: np.ndarray) -> np.ndarray:
    return values.astype("datetime64[ns]").astype(np.int64)


def load_series(con: duckdb.DuckDBPyConnection, assets: list[str]) -> dict[str, dict]:
    """Per asset: calendar sessions within its price history, with closes (NaN when missing)."""
    out: dict[str, dict] = {}
    cal = dict(con.execute("select asset_id, calendar from marts.dim_asset").fetchall())
    prices = con.execute(
        "select asset_id, trade_date, close from marts.fct_daily_prices "
        "where close > 0 order by asset_id, trade_date"
    ).fetchnumpy()
    sessions = con.execute(
        "select calendar, session_date, open_utc, close_utc from staging.stg_trading_sessions "
        "order by calendar, session_date"
    ).fetchnumpy()
    for asset in assets:
        sel = prices["asset_id"] == asset
        if not sel.any():
            continue
        p_dates = prices["trade_date"][sel].astype("datetime64[D]")
        p_close = prices["close"][sel].astype(float)
        s_sel = sessions["calendar"] == cal[asset]
        s_dates = sessions["session_date"][s_sel].astype("datetime64[D]")
        keep = (s_dates >= p_dates.min()) & (s_dates <= p_dates.max())
        dates = s_dates[keep]
        close = np.full(len(dates), np.nan)
        pos = np.searchsorted(dates, p_dates)
        hit = (pos < len(dates)) & (dates[np.minimum(pos, len(dates) - 1)] == p_dates)
        close[pos[hit]] = p_close[hit]
        out[asset] = {
            "dates": dates,
            "open_ns": _ns(sessions["open_utc"][s_sel][keep]),
            "close_ns": _ns(sessions["close_utc"][s_sel][keep]),
            "close": close,
        }
    return out


def _last_priced(close: np.ndarray) -> np.ndarray:
    """Index of the last priced session strictly before each session (-1 when none)."""
    idx = np.where(~np.isnan(close), np.arange(len(close)), -1)
    last_incl = np.maximum.accumulate(idx)
    prev = np.empty_like(last_incl)
    prev[0] = -1
    prev[1:] = last_incl[:-1]
    return prev


def returns_of(raw: dict, log: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(asset return, index of the previous priced session, close instant of it)."""
    close = raw["close"]
    prev = _last_priced(close)
    prev_close = np.where(prev >= 0, close[np.maximum(prev, 0)], np.nan)
    ratio = close / prev_close
    r = np.log(ratio) if log else ratio - 1.0
    prev_ns = np.where(prev >= 0, raw["close_ns"][np.maximum(prev, 0)], -1)
    return r, prev, prev_ns


def benchmark_over(raw: dict, bench: dict, log: bool) -> np.ndarray:
    """The benchmark's return over each of the asset's session-to-session intervals."""
    r, prev, prev_ns = returns_of(raw, log)
    priced = ~np.isnan(bench["close"])
    b_ns, b_close = bench["close_ns"][priced], bench["close"][priced]

    def asof(instants: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        pos = np.searchsorted(b_ns, instants, side="right") - 1
        ok = pos >= 0
        px = np.where(ok, b_close[np.maximum(pos, 0)], np.nan)
        when = np.where(ok, b_ns[np.maximum(pos, 0)], np.iinfo(np.int64).min)
        return px, when

    end_px, end_ns = asof(raw["close_ns"])
    start_px, _ = asof(prev_ns)
    ok = (
        ~np.isnan(raw["close"])
        & (prev >= 0)
        & ~np.isnan(start_px)
        & (end_ns >= raw["close_ns"] - STALE_NS)
    )
    ratio = end_px / start_px
    m = np.log(ratio) if log else ratio - 1.0
    return np.where(ok, m, np.nan)


def day0_of(s: Series, instant: np.int64, anchor: str) -> int | None:
    event_day = np.datetime64(int(instant), "ns").astype("datetime64[D]")
    if event_day < s.dates[0] or event_day > s.dates[-1] + np.timedelta64(1, "D"):
        return None
    if anchor == "next":
        pos = int(np.searchsorted(s.close_ns, instant, side="right"))
        return pos if pos < len(s.close_ns) else None
    pos = int(np.searchsorted(s.open_ns, instant, side="right")) - 1
    return pos if pos >= 0 else None


def load_inputs(db: Path, events_file: Path, studies_file: Path) -> PeerInputs:
    """Series of every study asset and the study's (event, asset) pairs, with exclusions
    that need no fit (no benchmark, outside the data, no price or benchmark on day 0)."""
    study = read_study(studies_file)
    assets = [str(a).lower() for a in yaml.safe_load(studies_file.read_text())[0]["assets"]]
    con = duckdb.connect(str(db), read_only=True)
    try:
        bench_of = dict(
            con.execute("select asset_id, benchmark_asset_id from marts.dim_asset").fetchall()
        )
        needed = sorted(set(assets) | {bench_of[a] for a in assets if bench_of.get(a)})
        raw = load_series(con, needed)
    finally:
        con.close()
    log = study.returns == "log"
    series: dict[str, Series] = {}
    for asset in assets:
        if asset not in raw:
            continue
        r, _, _ = returns_of(raw[asset], log)
        b = bench_of.get(asset)
        m = benchmark_over(raw[asset], raw[b], log) if b in raw else np.full(len(r), np.nan)
        series[asset] = Series(
            asset, raw[asset]["dates"], raw[asset]["open_ns"], raw[asset]["close_ns"], r, m
        )
    out = PeerInputs(study, series)
    for event_id, instant, _ in read_events(events_file):
        for asset in assets:
            if study.model in ("market_model", "market_adjusted") and not bench_of.get(asset):
                out.excluded.append(Pair(event_id, asset, None, "no benchmark"))
                continue
            s = series[asset]
            d0 = day0_of(s, instant, study.anchor)
            if d0 is None:
                reason = "event outside the data"
            elif np.isnan(s.r[d0]):
                reason = "no price on day 0"
            elif study.model in ("market_model", "market_adjusted") and np.isnan(s.m[d0]):
                reason = "no benchmark return on day 0"
            else:
                reason = None
            (out.excluded if reason else out.pairs).append(Pair(event_id, asset, d0, reason))
    return out

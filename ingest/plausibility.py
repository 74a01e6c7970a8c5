"""Plausibility rules: values no real market produces are rejected before they reach ``raw.*``.

A parser accepts any well-formed number and date; these rules catch the well-formed nonsense
(a close of ``1e308``, a bar dated 2099-12-31, an FX quote that jumps 17% and comes back the
next day). Each rule is declared once in ``RULES``; its bounds per asset class are declared once
in ``CLASS_LIMITS``. A row that breaks a rule goes to ``raw.rejects`` with the rule's name as
the start of its reason (its first broken rule only); the source's other rows load.

The bounds were checked against every file of the shared landing folder: see
``tests/ingest/test_plausibility.py`` for what each rule rejects there, and why those rows are
genuinely wrong. They are tripwires for broken data, not volatility filters: the COVID days of
March 2020, the FTX week and the 1994 yuan devaluation all load.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd

from ingest.parsers.base import Reject


@dataclass(frozen=True)
class Spike:
    """A one-day move beyond ``bound`` that the next row takes back (at least half of it).

    ``measure`` is 'log' (log of the price ratio, so x2 and /2 are both ln 2) or 'points' (a
    difference: rates are in percent and log ratios explode near zero).
    """

    bound: float
    measure: str


@dataclass(frozen=True)
class ClassLimits:
    earliest: date  # no row of this class can be older
    earliest_reason: str
    max_abs: float | None = None  # |value| above this is absurd (in the series' own unit)
    min_abs: float | None = None  # a non-zero |value| below this is absurd
    spike: Spike | None = None
    future_allowed: bool = False  # calendars list scheduled events


LN2 = math.log(2)
LN1_5 = math.log(1.5)
LN1_05 = math.log(1.05)
LONG_HISTORY = date(1800, 1, 1)

# One entry per asset class of the catalog. Magnitudes are in the series' own currency and unit:
# a price quoted in a currency with very large numbers (IDR, VND) may need a higher max_abs.
CLASS_LIMITS: dict[str, ClassLimits] = {
    "crypto": ClassLimits(
        earliest=date(2009, 1, 3),
        earliest_reason="Bitcoin's genesis block",
        max_abs=1e8,
        min_abs=1e-12,  # memecoins trade near 1e-8
        spike=Spike(LN2, "log"),
    ),
    "equity": ClassLimits(
        earliest=date(1792, 5, 17),
        earliest_reason="the Buttonwood Agreement (NYSE)",
        max_abs=1e7,
        min_abs=1e-6,
        spike=Spike(LN2, "log"),
    ),
    "etf": ClassLimits(
        earliest=date(1990, 3, 9),
        earliest_reason="the first ETF (TIPs 35, Toronto)",
        max_abs=1e6,
        min_abs=1e-6,
        spike=Spike(LN1_5, "log"),
    ),
    "index": ClassLimits(
        earliest=date(1884, 7, 3),
        earliest_reason="the first Dow Jones average",
        max_abs=1e7,
        min_abs=1e-6,
        spike=Spike(LN2, "log"),  # VIX doubles in a day and gives much of it back
    ),
    "commodity": ClassLimits(
        earliest=date(1848, 4, 3),
        earliest_reason="the Chicago Board of Trade",
        max_abs=1e6,
        min_abs=1e-6,
        spike=Spike(LN1_5, "log"),
    ),
    "fx": ClassLimits(
        earliest=LONG_HISTORY,
        earliest_reason="no daily market record is older",
        max_abs=1e7,
        min_abs=1e-6,
        # 5%: a real currency jump (a devaluation, the 2015 franc) does not come back the next
        # day; every such spike in the Yahoo FX files is a bad tick (FRED differs by 5-19%).
        spike=Spike(LN1_05, "log"),
    ),
    "rate": ClassLimits(
        earliest=LONG_HISTORY,
        earliest_reason="no daily market record is older",
        max_abs=1000.0,  # percent
        spike=Spike(5.0, "points"),  # fed funds swung 3.5 points around 1969 settlement days
    ),
    "flow": ClassLimits(
        earliest=date(2024, 1, 11),
        earliest_reason="the first US spot bitcoin ETF trading day",
        max_abs=1e5,  # US$ millions a day; the record is about 1.4e3
    ),
    "hack": ClassLimits(
        earliest=date(2009, 1, 3),
        earliest_reason="Bitcoin's genesis block",
        max_abs=1e11,  # USD; the largest record (Terra, 2022) is 4e10
    ),
    "calendar": ClassLimits(
        earliest=date(1900, 1, 1),
        earliest_reason="no calendar here is older",
        future_allowed=True,
    ),
}
# Entries of no known class (direct loader calls) get the class-free rules only.
DEFAULT_LIMITS = ClassLimits(date(1, 1, 1), "no bound")


@dataclass(frozen=True)
class Fields:
    """Which columns of a dataset the rules read."""

    date: str
    numbers: tuple[str, ...]  # must be finite when present (NaN means missing, not bad)
    magnitudes: tuple[str, ...]  # held to the class's max_abs / min_abs
    spike: str | None = None  # the value whose one-day moves are checked, per series
    group: str | None = None


_BAR_PRICES = ("open", "high", "low", "close", "adj_close")
DATASET_FIELDS: dict[str, Fields] = {
    "daily_bars": Fields(
        "bar_date",
        (*_BAR_PRICES, "volume", "quote_volume", "dividends", "stock_splits"),
        _BAR_PRICES,
        spike="close",
        group="series_id",
    ),
    "etf_flows": Fields("flow_date", ("flow_usd_millions",), ("flow_usd_millions",)),
    "hacks_defillama": Fields(
        "incident_date", ("amount_usd", "returned_usd"), ("amount_usd", "returned_usd")
    ),
    "hacks_slowmist": Fields("incident_date", ("loss_usd_reported",), ("loss_usd_reported",)),
    "hacks_defi_rekt": Fields(
        "incident_date",
        ("funds_lost_usd", "funds_recovered_usd", "funds_returned_usd"),
        ("funds_lost_usd", "funds_recovered_usd", "funds_returned_usd"),
    ),
    "hacks_blocksec": Fields(
        "incident_time_utc", ("loss_usd", "rescued_usd"), ("loss_usd", "rescued_usd")
    ),
    "hacks_rekt_news": Fields("incident_date", ("amount_usd",), ("amount_usd",)),
    "calendar_events": Fields("event_date", (), ()),
}


@dataclass(frozen=True)
class Checked:
    """What a rule looks at: the rows, their fields, the class's limits and today's date."""

    frame: pd.DataFrame
    fields: Fields
    asset_class: str
    limits: ClassLimits
    today: date


@dataclass(frozen=True)
class Violation:
    index: Hashable
    column: str | None
    detail: str
    raw_value: str | None


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    check: Callable[[Checked], Iterator[Violation]]


def _dates(frame: pd.DataFrame, column: str) -> pd.Series:
    values = frame[column]
    if not pd.api.types.is_datetime64_any_dtype(values):
        # (to_datetime on datetimes would walk them one by one to decide on caching)
        values = pd.to_datetime(values, errors="coerce")
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_convert("UTC").dt.tz_localize(None)
    return values.dt.normalize()


def _numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(frame[column], errors="coerce").astype(float)


def latest_plausible_date(today: date) -> date:
    """Tomorrow (UTC): a market east of UTC (Hong Kong, Tokyo) is already a day ahead."""
    return today + timedelta(days=1)


def _non_finite(checked: Checked) -> Iterator[Violation]:
    for column in checked.fields.numbers:
        values = _numbers(checked.frame, column)
        for idx in values.index[np.isinf(values)]:
            yield Violation(idx, column, f"{column} is infinite", str(values[idx]))


def _future_date(checked: Checked) -> Iterator[Violation]:
    if checked.limits.future_allowed:
        return
    latest = latest_plausible_date(checked.today)
    dates = _dates(checked.frame, checked.fields.date)
    for idx in dates.index[dates > pd.Timestamp(latest)]:
        day = dates[idx].date()
        yield Violation(idx, checked.fields.date, f"dated {day}, after {latest}", str(day))


def _before_start(checked: Checked) -> Iterator[Violation]:
    limits = checked.limits
    dates = _dates(checked.frame, checked.fields.date)
    for idx in dates.index[dates < pd.Timestamp(limits.earliest)]:
        day = dates[idx].date()
        detail = (
            f"dated {day}, before {limits.earliest} ({limits.earliest_reason}), "
            f"the earliest plausible {checked.asset_class} date"
        )
        yield Violation(idx, checked.fields.date, detail, str(day))


def _absurd_magnitude(checked: Checked) -> Iterator[Violation]:
    limits = checked.limits
    if limits.max_abs is None and limits.min_abs is None:
        return
    largest = math.inf if limits.max_abs is None else limits.max_abs
    smallest = 0.0 if limits.min_abs is None else limits.min_abs
    for column in checked.fields.magnitudes:
        size = _numbers(checked.frame, column).abs()
        absurd = (size > largest) | ((size > 0) & (size < smallest))
        for idx in size.index[absurd.to_numpy()]:
            value = checked.frame.at[idx, column]
            detail = (
                f"{column} {value:g} is outside the plausible size for {checked.asset_class} "
                f"({smallest:g} to {largest:g})"
            )
            yield Violation(idx, column, detail, str(value))


def _spike_and_revert(checked: Checked) -> Iterator[Violation]:
    spike, column = checked.limits.spike, checked.fields.spike
    if spike is None or column is None or checked.frame.empty:
        return
    frame = checked.frame.assign(_date=_dates(checked.frame, checked.fields.date))
    keys = [checked.fields.group] if checked.fields.group else []
    frame = frame.sort_values([*keys, "_date"], kind="stable")
    values = _numbers(frame, column)
    grouped = values.groupby([frame[k] for k in keys]) if keys else values
    previous, following = grouped.shift(1), grouped.shift(-1)
    if spike.measure == "log":
        move_in, move_out = np.log(values / previous), np.log(following / values)
    else:
        move_in, move_out = values - previous, following - values
    is_spike = (
        (move_in.abs() > spike.bound)
        & (move_out.abs() > spike.bound)
        & (np.sign(move_in) != np.sign(move_out))
        & ((move_in + move_out).abs() <= move_in.abs() / 2)  # it comes back at least halfway
    )
    unit = "%" if spike.measure == "log" else " points"
    for idx in values.index[is_spike.fillna(False).to_numpy()]:
        jump_in, jump_out = _shown(move_in[idx], spike), _shown(move_out[idx], spike)
        bound = _shown(spike.bound, spike)
        detail = (
            f"{column} {values[idx]:g} jumps {jump_in:+.1f}{unit} from {previous[idx]:g} and "
            f"{jump_out:+.1f}{unit} back the next row (bound {bound:.1f}{unit} for "
            f"{checked.asset_class})"
        )
        yield Violation(idx, column, detail, str(values[idx]))


def _shown(move: float, spike: Spike) -> float:
    """A move as people read it: percent change for prices, points for rates."""
    return 100 * math.expm1(move) if spike.measure == "log" else move


RULES: tuple[Rule, ...] = (
    Rule("non_finite", "A number is infinite (NaN is a missing value, not this).", _non_finite),
    Rule(
        "future_date",
        "Dated after tomorrow (UTC); calendars of scheduled events are exempt.",
        _future_date,
    ),
    Rule(
        "before_plausible_start",
        "Dated before the class's plausible start (crypto: 2009-01-03, ...).",
        _before_start,
    ),
    Rule(
        "absurd_magnitude",
        "A price, flow or loss far outside anything the class has ever printed.",
        _absurd_magnitude,
    ),
    Rule(
        "spike_and_revert",
        "A one-day move beyond the class's bound that the next row takes at least half back.",
        _spike_and_revert,
    ),
)


def plausibility_rejects(
    frame: pd.DataFrame, dataset: str, asset_class: str | None, today: date | None = None
) -> tuple[pd.DataFrame, list[Reject]]:
    """The rows that pass every rule, and one Reject per row that breaks one (its first)."""
    fields = DATASET_FIELDS.get(dataset)
    if fields is None or frame.empty:
        return frame, []
    limits = CLASS_LIMITS.get(asset_class or "", DEFAULT_LIMITS)
    today = today or datetime.now(UTC).date()
    kept, rejects = frame, []
    for rule in RULES:
        checked = Checked(kept, fields, asset_class or "unclassified", limits, today)
        first: dict[Hashable, Violation] = {}
        for violation in rule.check(checked):
            first.setdefault(violation.index, violation)
        rejects += [
            Reject(_line(kept, v.index), v.column, f"{rule.name}: {v.detail}", v.raw_value)
            for v in first.values()
        ]
        kept = kept.drop(index=list(first))
    return kept, rejects


def _line(frame: pd.DataFrame, idx: Hashable) -> int | None:
    value = frame.at[idx, "source_line"] if "source_line" in frame.columns else None
    return None if value is None or pd.isna(value) else int(value)

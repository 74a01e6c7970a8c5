"""The NumPy peer of the event-study engine: a plain per-pair loop (slice, closed-form OLS, ARs,
CARs), as twenty lines of notebook NumPy would do it, on inputs built without the engine's SQL
(``bench.es_peer_data``). Market model only (the benchmark's study).

Usage (the benchmark runs it in its own process, so its peak memory is its own)::

    python -m bench.es_numpy_peer --db W --events E.csv --studies S.yml --out cars.parquet

Writes one row per (event, asset, window) with n_days, CAR and its t, one row per excluded pair
with its reason, and prints a JSON line of timings: ``prep_s`` (reading prices, returns,
benchmark compounding, day 0), ``loop_s`` (the per-pair loop alone) and ``total_s``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bench.es_peer_data import PeerInputs, load_inputs


def run_loop(inputs: PeerInputs) -> tuple[list[tuple], list[tuple]]:
    """(CAR rows, fit-time exclusions); each pair fitted on its own slice, one at a time."""
    study = inputs.study
    if study.model != "market_model":
        raise SystemExit(f"the NumPy peer implements market_model only, not {study.model}")
    t0, t1 = study.est
    cars: list[tuple] = []
    excluded: list[tuple] = []
    for pair in inputs.pairs:
        s = inputs.series[pair.asset_id]
        n, d0 = len(s.r), pair.day0
        # the window cut to the data (an empty slice when it lies wholly outside)
        lo, hi = max(d0 + t0, 0), max(min(d0 + t1 + 1, n), max(d0 + t0, 0))
        r, m = s.r[lo:hi], s.m[lo:hi]
        ok = ~(np.isnan(r) | np.isnan(m))
        r, m = r[ok], m[ok]
        big_l = len(r)
        if big_l < study.min_days or big_l - 2 < 1:
            excluded.append((pair.event_id, pair.asset_id, "too few estimation days"))
            continue
        mean_r, mean_m = r.mean(), m.mean()
        dm = m - mean_m
        sxx = dm @ dm
        if sxx == 0:
            excluded.append((pair.event_id, pair.asset_id, "constant benchmark"))
            continue
        beta = dm @ (r - mean_r) / sxx
        alpha = mean_r - beta * mean_m
        e = r - alpha - beta * m
        s2 = e @ e / (big_l - 2)
        if s2 == 0:
            excluded.append((pair.event_id, pair.asset_id, "constant returns"))
            continue
        missing = bool(np.isnan(s.r[lo:hi]).any())
        for w1, w2 in study.windows:
            a = max(d0 + w1, 0)
            b = max(min(d0 + w2 + 1, n), a)
            rw, mw = s.r[a:b], s.m[a:b]
            ar = rw - alpha - beta * mw
            okw = ~np.isnan(ar)
            k = int(okw.sum())
            if k == 0:
                continue
            car = ar[okw].sum()
            dev = (mw[okw] - mean_m).sum()
            var = s2 * (k + k * k / big_l + dev * dev / sxx)
            cars.append(
                (
                    pair.event_id,
                    pair.asset_id,
                    w1,
                    w2,
                    k,
                    float(car),
                    float(car / math.sqrt(var)),
                    big_l,
                    missing or bool(np.isnan(rw).any()),
                    d0 + t0 < 0,
                )
            )
    return cars, excluded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--events", type=Path, required=True)
    parser.add_argument("--studies", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    inputs = load_inputs(args.db, args.events, args.studies)
    prep = time.perf_counter() - started
    loop_started = time.perf_counter()
    cars, fit_excluded = run_loop(inputs)
    loop = time.perf_counter() - loop_started
    columns = ["event_id", "asset_id", "window_start", "window_end", "n_days", "car", "car_t_stat"]
    extra = ["n_estimation_days", "has_missing_price", "cut_by_data_start"]
    pd.DataFrame(cars, columns=columns + extra).to_parquet(args.out)
    excluded = [(p.event_id, p.asset_id, p.reason) for p in inputs.excluded] + fit_excluded
    pd.DataFrame(excluded, columns=["event_id", "asset_id", "reason"]).to_parquet(
        args.out.with_suffix(".excluded.parquet")
    )
    timings = {
        "prep_s": prep,
        "loop_s": loop,
        "total_s": time.perf_counter() - started,
        "pairs": len(inputs.pairs),
    }
    print(json.dumps(timings))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The notebook peer of the event-study engine: what an analyst's notebook does per pair, with
pandas slicing and a statsmodels OLS fit, timed on a seeded sample of the pairs and extrapolated
to all of them. Same inputs as the NumPy peer (``bench.es_peer_data``); market model only.

Two styles, both timed on the same sample: ``formula`` is the textbook notebook
(``smf.ols("r ~ m", data=est).fit()`` and ``fit.predict`` for the expected returns), ``arrays``
the leaner ``sm.OLS(y, sm.add_constant(x))`` on the slices.

Usage (the benchmark runs it in its own process)::

    python -m bench.es_notebook_peer --db W --events E.csv --studies S.yml --out cars.parquet \\
        --sample 200 --repeat 3

Writes the sampled pairs' CARs (to check against the marts) and prints a JSON line with
``per_pair_s`` per style (mean seconds per sampled pair, in the fastest of ``--repeat`` passes over
the sample, as the bench keeps the best run of every side), ``pairs`` (all pairs) and ``sample``.
Needs statsmodels (``uv run --with statsmodels ...`` when it is not installed).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

import pandas as pd

from bench.es_peer_data import PeerInputs, load_inputs


def frames_of(inputs: PeerInputs) -> dict[str, pd.DataFrame]:
    """One DataFrame per asset: session date index, asset return r and benchmark return m."""
    return {
        asset: pd.DataFrame({"r": s.r, "m": s.m}, index=pd.Index(s.dates, name="date"))
        for asset, s in inputs.series.items()
    }


def notebook_pair(df: pd.DataFrame, day0: int, study, style: str) -> list[tuple] | str:
    """CARs of one pair, the way a notebook writes it; a reason string when excluded."""
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    t0, t1 = study.est
    est = df.iloc[max(day0 + t0, 0) : max(day0 + t1 + 1, 0)].dropna()
    if len(est) < study.min_days or len(est) - 2 < 1:
        return "too few estimation days"
    if style == "formula":
        fit = smf.ols("r ~ m", data=est).fit()
    else:
        fit = sm.OLS(est["r"], sm.add_constant(est["m"])).fit()
    s2, big_l, mean_m = fit.scale, len(est), est["m"].mean()
    sxx = ((est["m"] - mean_m) ** 2).sum()
    rows = []
    for w1, w2 in study.windows:
        win = df.iloc[max(day0 + w1, 0) : max(day0 + w2 + 1, 0)].dropna()
        if win.empty:
            continue
        if style == "formula":
            expected = fit.predict(win)
        else:
            expected = fit.params["const"] + fit.params["m"] * win["m"]
        ar = win["r"] - expected
        n = len(ar)
        dev = (win["m"] - mean_m).sum()
        var = s2 * (n + n * n / big_l + dev * dev / sxx)
        rows.append((w1, w2, n, float(ar.sum()), float(ar.sum() / math.sqrt(var))))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--events", type=Path, required=True)
    parser.add_argument("--studies", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=1, help="passes over the sample, best kept")
    args = parser.parse_args(argv)
    try:
        import statsmodels.formula.api  # noqa: F401
    except ImportError:
        print(json.dumps({"error": "statsmodels is not installed"}))
        return 2
    inputs = load_inputs(args.db, args.events, args.studies)
    if inputs.study.model != "market_model":
        raise SystemExit("the notebook peer implements market_model only")
    frames = frames_of(inputs)
    sample = random.Random(args.seed).sample(inputs.pairs, min(args.sample, len(inputs.pairs)))
    per_pair: dict[str, float] = {}
    cars = []
    for style in ("formula", "arrays"):
        notebook_pair(frames[sample[0].asset_id], sample[0].day0, inputs.study, style)  # warm-up
        for passed in range(max(args.repeat, 1)):
            started = time.perf_counter()
            for pair in sample:
                out = notebook_pair(frames[pair.asset_id], pair.day0, inputs.study, style)
                if isinstance(out, list) and not passed:
                    cars += [(style, pair.event_id, pair.asset_id, *row) for row in out]
            seconds = (time.perf_counter() - started) / len(sample)
            per_pair[style] = min(per_pair.get(style, seconds), seconds)
    columns = ["style", "event_id", "asset_id", "window_start", "window_end", "n_days", "car"]
    pd.DataFrame(cars, columns=[*columns, "car_t_stat"]).to_parquet(args.out)
    print(json.dumps({"per_pair_s": per_pair, "sample": len(sample), "pairs": len(inputs.pairs)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

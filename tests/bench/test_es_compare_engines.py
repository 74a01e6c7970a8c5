"""The old-vs-new comparison of the event-study marts (bench/es_compare_engines.py) on hand-made
frames: rows matched on the grain, the tolerance, renamed columns, deliberate changes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bench.es_compare_engines import compare_table

KEYS = ["study_id", "event_id", "asset_id"]


def frame(car: list[float], **extra: list) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "study_id": ["s"] * len(car),
            "event_id": ["e1", "e2", "e3"][: len(car)],
            "asset_id": ["btc"] * len(car),
            "car": car,
            **extra,
        }
    )


def verdicts(result) -> dict[str, str]:
    return {col: verdict for col, _, _, verdict in result.columns}


def test_equal_within_tolerance_and_differences_found():
    old = frame([0.1, -0.2, 3.0])
    same = compare_table(
        "fct_car", old, frame([0.1 + 1e-15, -0.2, 3.0 * (1 + 1e-13)]), KEYS, 1e-12, set()
    )
    assert same.ok and verdicts(same) == {"car": "same"}
    off = compare_table("fct_car", old, frame([0.1, -0.2 + 1e-9, 3.0]), KEYS, 1e-12, set())
    assert not off.ok and verdicts(off) == {"car": "DIFFERS"}
    assert off.columns[0][1] == 1  # one row differs
    missing = compare_table("fct_car", old, frame([0.1, -0.2]), KEYS, 1e-12, set())
    assert not missing.ok and (missing.only_old, missing.only_new) == (1, 0)
    null = compare_table("fct_car", old, frame([0.1, np.nan, 3.0]), KEYS, 1e-12, set())
    assert not null.ok  # a value that became null differs


def test_deliberate_changes_are_listed_apart():
    old = frame([0.1, 0.2], wilcoxon_stat=[3.0, 4.0])
    new = frame([0.1, 0.2], wilcoxon_stat=[1.0, 4.0])
    result = compare_table("fct_event_study_summary", old, new, KEYS, 1e-12, set())
    assert result.ok and verdicts(result)["wilcoxon_stat"].startswith("deliberate")
    # the same change in a table where it is not deliberate is a difference
    assert not compare_table("fct_car", old, new, KEYS, 1e-12, set()).ok


def test_first_session_benchmark_return_is_deliberate_only_without_an_asset_return():
    old = frame([0.1, 0.2], benchmark_return=[-0.3225, 0.01], actual_return=[np.nan, 0.02])
    fixed = frame([0.1, 0.2], benchmark_return=[np.nan, 0.01], actual_return=[np.nan, 0.02])
    assert compare_table("fct_abnormal_returns", old, fixed, KEYS, 1e-12, set()).ok
    broken = frame([0.1, 0.2], benchmark_return=[-0.3225, np.nan], actual_return=[np.nan, 0.02])
    assert not compare_table("fct_abnormal_returns", old, broken, KEYS, 1e-12, set()).ok


def test_studies_anchored_previous_are_left_out():
    old, new = frame([0.1, 0.2]), frame([0.1, 0.5])
    assert not compare_table("fct_car", old, new, KEYS, 1e-12, set()).ok
    assert compare_table("fct_car", old, new, KEYS, 1e-12, {"s"}).ok

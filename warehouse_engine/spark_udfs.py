"""Spark SQL functions the models need and Spark lacks, as vectorised pandas UDFs.

Registered under the names the DuckDB build uses, so one SQL text calls them on both engines:

- ``name_similarity_jw(a, b)``  Jaro-Winkler similarity in [0, 1] (RapidFuzz, the algorithm and
  parameters of DuckDB's ``jaro_winkler_similarity``: prefix weight 0.1, prefix up to 4, over the
  UTF-8 bytes as DuckDB compares them, so 'sunray·finance' scores as there);
- ``t_two_sided_p(t, df)``, ``normal_two_sided_p(z)``, ``t_cdf(t, df)``, ``normal_cdf(z)``: the
  same SciPy functions as the DuckDB plugin ``warehouse_udfs`` (NULL, NaN or df <= 0 give NULL);
- ``wilcoxon_two_sided_p(values, counts)``: ``scipy.stats.wilcoxon``'s p-value of the values, each
  repeated ``counts`` times, through the DuckDB plugin's own function (one code path, one answer).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from pyspark.sql import SparkSession
from pyspark.sql.functions import pandas_udf
from rapidfuzz.distance import JaroWinkler

from warehouse_udfs import (
    _wilcoxon_p,
    normal_cdf_kernel,
    normal_two_sided_kernel,
    t_cdf_kernel,
    t_two_sided_kernel,
)


def _floats(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _nullable(values: np.ndarray) -> pd.Series:
    return pd.Series(np.where(np.isfinite(values), values, np.nan), dtype="float64")


def name_similarity_jw(left: pd.Series, right: pd.Series) -> pd.Series:
    scores = [
        None
        if a is None or b is None
        else JaroWinkler.similarity(a.encode(), b.encode(), prefix_weight=0.1)
        for a, b in zip(left, right, strict=True)
    ]
    return pd.Series(scores, dtype="float64")


def t_two_sided_p(t: pd.Series, df: pd.Series) -> pd.Series:
    return _nullable(t_two_sided_kernel(_floats(t), _floats(df)))


def normal_two_sided_p(z: pd.Series) -> pd.Series:
    return _nullable(normal_two_sided_kernel(_floats(z)))


def t_cdf(t: pd.Series, df: pd.Series) -> pd.Series:
    return _nullable(t_cdf_kernel(_floats(t), _floats(df)))


def normal_cdf(z: pd.Series) -> pd.Series:
    return _nullable(normal_cdf_kernel(_floats(z)))


def wilcoxon_two_sided_p(values: pd.Series, counts: pd.Series) -> pd.Series:
    out = []
    for items, times in zip(values, counts, strict=True):
        if items is None:
            out.append(np.nan)
            continue
        data = np.asarray(items, dtype="float64")
        if times is not None:
            data = np.repeat(data, np.asarray(times, dtype="int64"))
        out.append(_wilcoxon_p(data))
    return _nullable(np.asarray(out, dtype="float64"))


FUNCTIONS: dict[str, Callable[..., pd.Series]] = {
    "name_similarity_jw": name_similarity_jw,
    "t_two_sided_p": t_two_sided_p,
    "normal_two_sided_p": normal_two_sided_p,
    "t_cdf": t_cdf,
    "normal_cdf": normal_cdf,
    "wilcoxon_two_sided_p": wilcoxon_two_sided_p,
}


def register(spark: SparkSession) -> None:
    """Register every function as a temporary function of this Spark session."""
    for name, function in FUNCTIONS.items():
        spark.udf.register(name, pandas_udf(function, "double"))

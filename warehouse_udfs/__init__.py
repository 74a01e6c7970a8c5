"""DuckDB scalar functions the SQL lacks (distribution tails, from SciPy).

Registered on every dbt-duckdb connection by the ``Plugin`` below (``plugins:`` in
dbt_project/profiles.yml), and usable directly with ``register(con)``. Vectorised: DuckDB hands
each function whole Arrow columns, SciPy evaluates them as NumPy arrays.

- ``t_two_sided_p(t, df)``   = 2 * P(T_df > |t|)  (scipy.special.stdtr; df may be fractional)
- ``normal_two_sided_p(z)``  = 2 * P(Z > |z|)     (scipy.special.ndtr)
- ``t_cdf(t, df)``, ``normal_cdf(z)``             the lower-tail distribution functions
- ``wilcoxon_two_sided_p(values, counts)``         the two-sided p-value of the Wilcoxon
  signed-rank test against 0 of a list of values, each repeated as often as ``counts`` says
  (NULL counts: once each), as ``scipy.stats.wilcoxon`` computes it (below)

NULL, NaN or a df <= 0 in any argument gives NULL.

Wilcoxon: ``scipy.stats.wilcoxon`` itself with its defaults (zeros dropped, |x| ranked with
ties averaged, two-sided, no continuity correction, ``method='auto'``): the exact null
distribution for n <= 50 values without ties or zeros, a permutation test for n <= 13 with ties
or zeros, the normal approximation with tie correction otherwise. Only the p-value is taken
from it; the SQL reports the statistic (min(W+, W-)) itself.
"""

from __future__ import annotations

import contextlib
import warnings
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
from duckdb import DuckDBPyConnection
from duckdb.sqltypes import BIGINT, DOUBLE
from scipy import special

try:  # dbt-duckdb is only needed when loaded as a dbt plugin
    from dbt.adapters.duckdb.plugins import BasePlugin
except ImportError:  # pragma: no cover
    BasePlugin = object  # type: ignore[assignment,misc]


def _arr(column: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype="float64")


def _out(values: np.ndarray) -> pa.Array:
    return pa.array(values, mask=~np.isfinite(values), type=pa.float64())


# The kernels on float arrays (NaN: no value), shared with the Spark UDFs of
# warehouse_engine/spark_udfs.py so both engines compute the same numbers.
def t_two_sided_kernel(t: np.ndarray, df: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        p = 2.0 * special.stdtr(df, -np.abs(t))
    p[~(df > 0)] = np.nan
    return np.minimum(p, 1.0)


def normal_two_sided_kernel(z: np.ndarray) -> np.ndarray:
    return np.minimum(2.0 * special.ndtr(-np.abs(z)), 1.0)


def t_cdf_kernel(t: np.ndarray, df: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        p = special.stdtr(df, t)
    p[~(df > 0)] = np.nan
    return p


def normal_cdf_kernel(z: np.ndarray) -> np.ndarray:
    return special.ndtr(z)


def t_two_sided_p(t: pa.Array, df: pa.Array) -> pa.Array:
    return _out(t_two_sided_kernel(_arr(t), _arr(df)))


def normal_two_sided_p(z: pa.Array) -> pa.Array:
    return _out(normal_two_sided_kernel(_arr(z)))


def t_cdf(t: pa.Array, df: pa.Array) -> pa.Array:
    return _out(t_cdf_kernel(_arr(t), _arr(df)))


def normal_cdf(z: pa.Array) -> pa.Array:
    return _out(normal_cdf_kernel(_arr(z)))


def _wilcoxon_p(values: np.ndarray) -> float:
    """scipy.stats.wilcoxon(values).pvalue; NaN when no value is left after dropping NaN and 0."""
    d = values[~np.isnan(values)]
    if not np.any(d != 0):
        return np.nan
    # imported here: scipy.stats costs every dbt process ~0.7 s, most never call this
    from scipy import stats

    with warnings.catch_warnings():  # SciPy warns that few values make the normal approx rough
        warnings.simplefilter("ignore")
        return float(stats.wilcoxon(d).pvalue)


def wilcoxon_two_sided_p(values: pa.Array, counts: pa.Array) -> pa.Array:
    def chunks(column: pa.Array | pa.ChunkedArray) -> pa.Array:
        return column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column

    lists, repeats = chunks(values), chunks(counts)
    out = np.full(len(lists), np.nan)
    for i, (item, times) in enumerate(zip(lists, repeats, strict=True)):
        if not item.is_valid:
            continue
        data = _arr(item.values)
        if times.is_valid:
            data = np.repeat(data, np.asarray(times.values.to_numpy(zero_copy_only=False), int))
        out[i] = _wilcoxon_p(data)
    return _out(out)


FUNCTIONS = {
    "t_two_sided_p": (t_two_sided_p, [DOUBLE, DOUBLE]),
    "normal_two_sided_p": (normal_two_sided_p, [DOUBLE]),
    "t_cdf": (t_cdf, [DOUBLE, DOUBLE]),
    "normal_cdf": (normal_cdf, [DOUBLE]),
    "wilcoxon_two_sided_p": (
        wilcoxon_two_sided_p,
        [duckdb.list_type(DOUBLE), duckdb.list_type(BIGINT)],
    ),
}


def register(con: DuckDBPyConnection) -> None:
    """Create (or replace) the functions on one connection."""
    for name, (func, params) in FUNCTIONS.items():
        # registered on this connection before: replaced (asking duckdb_functions() first
        # would cost every new connection 13 ms)
        with contextlib.suppress(duckdb.InvalidInputException):
            con.remove_function(name)
        con.create_function(
            name, func, params, DOUBLE, type="arrow", null_handling="special", side_effects=False
        )


class Plugin(BasePlugin):  # type: ignore[misc,valid-type]
    """dbt-duckdb plugin: ``plugins: [{module: warehouse_udfs}]`` in profiles.yml."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:  # noqa: D102
        pass

    def configure_connection(self, conn: DuckDBPyConnection) -> None:  # noqa: D102
        register(conn)

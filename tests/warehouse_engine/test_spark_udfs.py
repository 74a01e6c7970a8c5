"""The functions Spark SQL lacks, as registered on the Spark session, against their references:
the t and normal tails against SciPy (1e-9), Jaro-Winkler against DuckDB's own, on real names."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats

TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory, monkeypatch_module):
    from warehouse_engine.spark_session import start_session

    monkeypatch_module.setenv("SPARK_WAREHOUSE_DIR", str(tmp_path_factory.mktemp("sw")))
    session = start_session()
    yield session
    session.stop()


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_tails_match_scipy(spark) -> None:
    grid = [
        (t, df)
        for t in (-40.0, -6.5, -2.0, -0.3, 0.0, 0.7, 1.96, 3.1, 12.0)
        for df in (0.5, 1.0, 2.5, 7.0, 30.0, 250.0)
    ]
    rows = spark.sql(
        "select t, df, t_two_sided_p(t, df) as p_t, normal_two_sided_p(t) as p_z, "
        "t_cdf(t, df) as c_t, normal_cdf(t) as c_z from values "
        + ", ".join(f"({t}D, {df}D)" for t, df in grid)
        + " as v(t, df)"
    ).collect()
    assert len(rows) == len(grid)
    for r in rows:
        assert math.isclose(
            r.p_t, 2 * stats.t.sf(abs(r.t), r.df), rel_tol=TOLERANCE, abs_tol=TOLERANCE
        )
        assert math.isclose(
            r.p_z, 2 * stats.norm.sf(abs(r.t)), rel_tol=TOLERANCE, abs_tol=TOLERANCE
        )
        assert math.isclose(r.c_t, stats.t.cdf(r.t, r.df), rel_tol=TOLERANCE, abs_tol=TOLERANCE)
        assert math.isclose(r.c_z, stats.norm.cdf(r.t), rel_tol=TOLERANCE, abs_tol=TOLERANCE)
    # NULL, NaN and df <= 0 give NULL, as the DuckDB functions do.
    edge = spark.sql(
        "select t_two_sided_p(cast(null as double), 3D) as a, t_two_sided_p(1D, 0D) as b, "
        "t_two_sided_p(1D, -2D) as c, normal_two_sided_p(double('NaN')) as d"
    ).collect()[0]
    assert (edge.a, edge.b, edge.c, edge.d) == (None, None, None, None)


def test_jaro_winkler_matches_duckdb(spark, landing_dir: Path) -> None:
    """Real hack names (DeFiLlama's export), each against its 40 neighbours in sorted order."""
    names = [
        row[0]
        for row in duckdb.sql(
            "select distinct lower(trim(name)) as name from read_json_auto(?) "
            "where name is not null order by 1",
            params=[str(landing_dir / "hacks" / "defillama_hacks.json")],
        ).fetchall()
    ]
    pairs = pd.DataFrame(
        [(a, b) for i, a in enumerate(names) for b in names[i + 1 : i + 40]], columns=["a", "b"]
    )
    assert len(pairs) > 1000
    expected = duckdb.sql("select jaro_winkler_similarity(a, b) as s from pairs").df()["s"]
    got = spark.createDataFrame(pairs).selectExpr("name_similarity_jw(a, b) as s").toPandas()["s"]
    assert np.allclose(got, expected, rtol=0, atol=TOLERANCE)


def test_wilcoxon_matches_scipy(spark) -> None:
    """Every branch of scipy.stats.wilcoxon's method='auto': exact (n <= 50, no ties or zeros),
    permutation (n <= 13 with ties), normal approximation (n > 50, and ties); weights repeat."""
    rng = np.random.default_rng(11)
    cases = [
        ([0.012, -0.004, 0.031, 0.007, -0.019, 0.025, 0.002], [1] * 7),  # exact
        ([0.01, 0.01, -0.02, 0.03, 0.0, -0.01], [1, 2, 1, 1, 1, 3]),  # ties and a zero
        (list(rng.normal(0.002, 0.02, 80)), [1] * 80),  # normal approximation
        (list(np.round(rng.normal(0, 0.02, 30), 3)), list(rng.integers(1, 4, 30))),
    ]
    frame = spark.createDataFrame(
        [(list(map(float, v)), list(map(int, w))) for v, w in cases],
        "cars array<double>, weights array<bigint>",
    )
    got = [r.p for r in frame.selectExpr("wilcoxon_two_sided_p(cars, weights) as p").collect()]
    for (values, weights), p in zip(cases, got, strict=True):
        data = np.repeat(np.asarray(values), weights)
        expected = stats.wilcoxon(data).pvalue  # zeros dropped by SciPy (zero_method="wilcox")
        assert math.isclose(p, expected, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
    # No value left (all zero) or a NULL list: NULL, as on DuckDB.
    edge = spark.sql(
        "select wilcoxon_two_sided_p(array(0D, 0D), array(1L, 2L)) as a, "
        "wilcoxon_two_sided_p(cast(null as array<double>), cast(null as array<bigint>)) as b"
    ).collect()[0]
    assert (edge.a, edge.b) == (None, None)

"""The read copy opened by the oldest DuckDB it promises to serve: 1.0.0, in an environment of its
own (reader_compat/.venv, make setup). BI drivers and notebooks lag behind the pipeline's DuckDB;
the copy is written in the v1.0 storage format for them, and its view marts.fct_abnormal_returns
(and the views under it) must bind there too, whatever SQL the pipeline's DuckDB wrote for them.

One script reads the copy under both DuckDBs, each in a process of its own: every relation's
row count, each study's sums over the pairs x days view, and known facts of the build.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ingest.config import REPO_ROOT

pytestmark = pytest.mark.e2e

OLD_READER = REPO_ROOT / "reader_compat" / ".venv" / "bin" / "python"
OLD_VERSION = "1.0.0"

READ_THE_COPY = textwrap.dedent(
    """
    import json, sys
    import duckdb

    con = duckdb.connect(sys.argv[1], read_only=True)
    names = con.execute(
        "select schema_name || '.' || table_name from duckdb_tables() "
        "where database_name = current_database() union all "
        "select schema_name || '.' || view_name from duckdb_views() "
        "where database_name = current_database() and not internal"
    ).fetchall()
    counts = {n: con.execute(f"select count(*) from {n}").fetchone()[0] for (n,) in names}
    ar = "marts.fct_abnormal_returns"
    # per study: the etf_flows study's "returns" are USD flows (-1.1e11) and would drown the others
    sums = {
        study: [n, ar_sum, sar_sum]
        for study, n, ar_sum, sar_sum in con.execute(
            f"select study_id, count(*), sum(abnormal_return), "
            f"sum(standardized_abnormal_return) from {ar} group by study_id"
        ).fetchall()
    }
    nvda = con.execute(
        f"select actual_return, abnormal_return from {ar} "
        "where study_id = 'deepseek_us_ai_stocks' and event_id = 'deepseek_selloff' "
        "and asset_id = 'nvda' and trade_date = '2025-01-27' and relative_day = 0"
    ).fetchone()
    btc = con.execute(
        "select publisher_total_usd from marts.fct_etf_flow_daily_total "
        "where product = 'BTC' and date = '2025-02-25'"
    ).fetchone()
    print(json.dumps({
        "version": duckdb.__version__, "counts": counts, "sums": sums, "nvda": nvda, "btc": btc,
    }))
    """
)


def read_the_copy(python: Path | str, copy: Path) -> dict:
    proc = subprocess.run(
        [str(python), "-c", READ_THE_COPY, str(copy)], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, f"{python} could not read {copy}:\n{proc.stderr[-3000:]}"
    return json.loads(proc.stdout)


def test_duckdb_1_0_reads_every_relation_of_the_copy_as_todays_duckdb_does(
    serving_db: Path,
) -> None:
    if not OLD_READER.is_file():
        pytest.fail(
            f"{OLD_READER} missing: install it with `uv sync --frozen --project reader_compat` "
            "(make setup does)"
        )
    old = read_the_copy(OLD_READER, serving_db)
    today = read_the_copy(sys.executable, serving_db)
    assert old["version"] == OLD_VERSION
    assert today["version"] != OLD_VERSION, "the pipeline's DuckDB is not the old one"
    # every table and view, the views over copies of the engine's tables included
    assert old["counts"] == today["counts"]
    assert old["counts"]["marts.fct_abnormal_returns"] > 50_000
    assert old["counts"]["marts.fct_car"] > 0
    # every study's rows and sums, the return studies compared on their own scale
    assert old["sums"].keys() == today["sums"].keys()
    assert {"deepseek_us_ai_stocks", "hacks_crypto", "etf_flows"} <= old["sums"].keys()
    for study, (n, ar_sum, sar_sum) in today["sums"].items():
        assert old["sums"][study][0] == n, study
        assert old["sums"][study][1:] == pytest.approx([ar_sum, sar_sum], rel=1e-9, abs=1e-12), (
            study
        )
    # NVDA on the DeepSeek sell-off (Monday 2025-01-27): -16.97 %, AR -13.2 % (market model)
    assert old["nvda"] == pytest.approx([-0.16968, -0.13213], abs=5e-5)
    # Farside BTC Total the day after the Bybit hack: -1,113.7 $M
    assert old["btc"] == [-1_113_700_000.0]

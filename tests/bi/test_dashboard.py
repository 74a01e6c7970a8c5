"""`make bi` end to end: Superset's dashboard over the real served marts, in headless Chromium.

The endpoint (`python -m endpoint`) serves a copy of the real built warehouse; `python -m bi`
(make bi's launcher, from bi/.venv) bootstraps Superset into a temporary home and starts it;
bi/dashboard_probe.py logs in through the form, opens the dashboard and waits (bounded) until all
four charts have drawn. Each chart's data, as Superset's chart-data API answered the browser, is
compared with the same query run on DuckDB directly. Screenshot: reports/bi_dashboard.png.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from bi.assets_bundle import dashboard_slug
from ingest.config import REPO_ROOT
from report.build import _caar_frame
from tests.bi.superset_processes import (
    BI_PYTHON,
    free_port,
    http_ok,
    log_tail,
    port_open,
    running,
)

pytestmark = pytest.mark.e2e

SCREENSHOT = REPO_ROOT / "reports" / "bi_dashboard.png"
ENDPOINT_START_S = 90
SUPERSET_START_S = 420  # a fresh home: db upgrade + init + import + gunicorn, on 2 shared cores
PROBE_WAIT_S = 180
CAAR_CHART = "CAAR path: hacks_crypto, 95 % band"
FLOWS_CHART = "BTC spot-ETF flows around the Bybit hack"
HACKS_CHART = "Monthly crypto hack losses"
FINDINGS_CHART = "Findings: the articles' claims"


def _chromium() -> Path:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("headless Chromium not found: `apt-get install chromium` (Debian package)")
    return Path(found)


@pytest.fixture(scope="module")
def served_copy(built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the publish step would serve: a read copy of a green build."""
    target = tmp_path_factory.mktemp("serving") / "warehouse.duckdb"
    shutil.copyfile(built_warehouse, target)
    return target


@pytest.fixture(scope="module")
def bi_env(served_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    if not BI_PYTHON.exists():
        pytest.fail(f"{BI_PYTHON} missing: install Superset with `uv sync --frozen --project bi`")
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SUPERSET_", "SERVE_", "BI_"))},
        "SERVING_DB": str(served_copy),
        "SERVE_PORT": str(free_port()),
        "SERVE_PASSWORD": secrets.token_urlsafe(18),
        "SUPERSET_HOME": str(tmp_path_factory.mktemp("superset_home")),
        "BI_PORT": str(free_port()),
        "BI_ADMIN_USER": "admin",
        "BI_ADMIN_PASSWORD": secrets.token_urlsafe(18),
    }


@pytest.fixture(scope="module")
def superset_url(bi_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory):
    logs = tmp_path_factory.mktemp("bi_logs")
    url = f"http://127.0.0.1:{bi_env['BI_PORT']}"
    with (
        running(
            [sys.executable, "-m", "endpoint"],
            bi_env,
            logs / "endpoint.log",
            lambda: port_open(int(bi_env["SERVE_PORT"])),
            ENDPOINT_START_S,
        ),
        running(
            [str(BI_PYTHON), "-m", "bi"],
            bi_env,
            logs / "superset.log",
            lambda: http_ok(f"{url}/health"),
            SUPERSET_START_S,
        ),
    ):
        yield url, logs


@pytest.fixture(scope="module")
def probe(superset_url: tuple[str, Path], bi_env: dict[str, str]) -> dict:
    url, logs = superset_url
    command = [
        str(BI_PYTHON),
        "-m",
        "bi.dashboard_probe",
        f"--url={url}",
        f"--slug={dashboard_slug()}",
        f"--user={bi_env['BI_ADMIN_USER']}",
        f"--chromium={_chromium()}",
        f"--screenshot={SCREENSHOT}",
        f"--timeout={PROBE_WAIT_S}",
    ]
    result = subprocess.run(
        command, cwd=REPO_ROOT, env=bi_env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, (
        f"probe failed:\n{result.stderr[-4000:]}\nsuperset log:\n{log_tail(logs / 'superset.log')}"
        f"\nendpoint log:\n{log_tail(logs / 'endpoint.log')}"
    )
    return json.loads(result.stdout)


def _api_get(url: str, token: str, path: str) -> dict:
    request = urllib.request.Request(f"{url}{path}", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)


def _inventory(url: str, env: dict[str, str]) -> dict[str, list[tuple[int, str]]]:
    """(id, name) of every database, dataset, chart and dashboard, through Superset's REST API."""
    login = json.dumps(
        {
            "username": env["BI_ADMIN_USER"],
            "password": env["BI_ADMIN_PASSWORD"],
            "provider": "db",
        }
    ).encode()
    request = urllib.request.Request(
        f"{url}/api/v1/security/login", data=login, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        token = json.load(answer)["access_token"]
    names = {
        "database": "database_name",
        "dataset": "table_name",
        "chart": "slice_name",
        "dashboard": "dashboard_title",
    }
    return {
        kind: sorted(
            (row["id"], row[name])
            for row in _api_get(url, token, f"/api/v1/{kind}/?q=(page_size:100)")["result"]
        )
        for kind, name in names.items()
    }


def _data(probe: dict, chart_name: str) -> list[dict]:
    """The rows Superset's chart-data API sent the browser for the chart named ``chart_name``."""
    chart_id = next(c["id"] for c in probe["charts"] if c["name"] == chart_name)
    answer = probe["chart_data"][str(chart_id)]
    assert answer["status"] == 200, f"{chart_name}: {answer}"
    return answer["body"]["result"][0]["data"]


def _drawn(probe: dict, chart_name: str) -> dict:
    return next(d for d in probe["drawn"] if d["name"] == chart_name)


def test_all_four_charts_draw_their_data(probe: dict) -> None:
    assert sorted(c["name"] for c in probe["charts"]) == sorted(
        [CAAR_CHART, FLOWS_CHART, HACKS_CHART, FINDINGS_CHART]
    )
    for chart in probe["charts"]:
        drawn = _drawn(probe, chart["name"])
        assert drawn["error"] == "", f"{chart['name']}: {drawn['error']}"
        assert _data(probe, chart["name"]), f"{chart['name']}: no rows"
        if chart["viz_type"] == "table":
            assert drawn["table_rows"] > 0
        else:
            assert drawn["canvases"] > 0, f"{chart['name']}: nothing drawn"
    assert SCREENSHOT.stat().st_size > 50_000


def test_bootstrap_again_changes_nothing(
    probe: dict, superset_url: tuple[str, Path], bi_env: dict[str, str]
) -> None:
    """A second bootstrap (every `make bi`) re-imports the bundle in place: no duplicates."""
    url, logs = superset_url
    before = _inventory(url, bi_env)
    assert [name for _, name in before["dashboard"]] == ["Event-study warehouse"]
    assert len(before["chart"]) == 4 and len(before["dataset"]) == 4
    assert [name for _, name in before["database"]] == ["Event-study warehouse (served)"]
    again = subprocess.run(
        [str(BI_PYTHON), "-m", "bi.bootstrap"],
        cwd=REPO_ROOT,
        env=bi_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr[-4000:]
    assert "generated now" not in again.stdout  # the admin exists: no new password
    assert _inventory(url, bi_env) == before
    home = Path(bi_env["SUPERSET_HOME"])
    assert (home / "secret_key").stat().st_mode & 0o777 == 0o600


def test_nothing_leaves_the_machine(probe: dict) -> None:
    """The telemetry pixel, fonts and tiles are blocked by the page's own policy."""
    assert probe["outside_requests"] == []
    csp = probe["content_security_policy"]
    assert "default-src 'self'" in csp and "img-src 'self' blob: data:;" in csp


def test_findings_table_shows_every_claim(probe: dict, built_warehouse: Path) -> None:
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        claims = con.execute(
            "select claim_id, verdict from marts.fct_findings order by claim_id"
        ).fetchall()
    rows = _data(probe, FINDINGS_CHART)
    assert [(r["claim_id"], r["verdict"]) for r in rows] == claims
    drawn = _drawn(probe, FINDINGS_CHART)
    assert drawn["table_rows"] == len(claims) >= 10
    assert [row[0] for row in drawn["table_text"]] == [c[0] for c in claims]


def test_bybit_btc_flows_match_the_mart(probe: dict, built_warehouse: Path) -> None:
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        expected = dict(
            con.execute(
                "select relative_day, flow_usd / 1e6 from marts.fct_event_etf_flows "
                "where event_id = 'bybit_hack' and product = 'BTC' and is_event_period_day"
            ).fetchall()
        )
    shown = {r["relative_day"]: r["flow_usd_m"] for r in _data(probe, FLOWS_CHART)}
    assert shown.keys() == expected.keys() and len(shown) == 21  # days -10..10
    assert shown[0] == pytest.approx(expected[0]) == pytest.approx(-62.9)  # Fri 21 Feb 2025
    assert shown == pytest.approx(expected)


def test_caar_path_matches_the_html_report(probe: dict, built_warehouse: Path) -> None:
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        report = _caar_frame(con)
    report = report[report["study_id"] == "hacks_crypto"].set_index("relative_day")
    rows = {r["relative_day"]: r for r in _data(probe, CAAR_CHART)}
    assert sorted(rows) == sorted(report.index) == list(range(-1, 6))
    for day, row in rows.items():
        assert row["caar"] == pytest.approx(report.loc[day, "caar"])
        half_width = 1.959963984540054 * report.loc[day, "se_caar"]
        assert row["caar_upper_95"] - row["caar_lower_95"] == pytest.approx(2 * half_width)


def test_monthly_hack_losses_match_the_mart(probe: dict, built_warehouse: Path) -> None:
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        expected = dict(
            con.execute(
                "select month, loss_usd from marts.fct_hack_monthly where scope = 'hacks'"
            ).fetchall()
        )
    shown = {
        datetime.fromtimestamp(r["month"] / 1000, tz=UTC).date(): r["loss_usd"]
        for r in _data(probe, HACKS_CHART)
    }
    assert shown.keys() == expected.keys()
    feb_2025 = next(month for month in shown if (month.year, month.month) == (2025, 2))
    assert shown[feb_2025] == pytest.approx(expected[feb_2025])
    assert shown[feb_2025] > 1.4e9  # the Bybit hack alone was about USD 1.4-1.5bn
    assert shown == pytest.approx(expected)

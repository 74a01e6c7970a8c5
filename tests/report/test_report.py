"""The HTML report built from the real warehouse renders every chart in headless Chromium."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from report.build import CHART_CLASS, build_report

pytestmark = pytest.mark.e2e

BROWSERS = ("chromium", "chromium-browser")
FIXED_CHARTS = {"etf-flows-bybit", "hkd-band", "hack-monthly"}
# HTML void elements: no end tag in the serialised DOM (SVG elements always get one).
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class ChartScan(HTMLParser):
    """Per chart container (section.report-chart): does a plotly `main-svg` render inside it?

    Also counts the findings table's body rows.
    """

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str | None] = []  # chart id of each open element's container, or None
        self.svgs: dict[str, int] = {}
        self.findings_rows = 0
        self._in_findings = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        current = self.stack[-1] if self.stack else None
        if tag == "section" and CHART_CLASS in classes:
            current = a.get("data-chart") or a.get("id") or "?"
            self.svgs.setdefault(current, 0)
        if current and tag == "svg" and "main-svg" in classes:
            self.svgs[current] += 1
        if tag == "table" and a.get("id") == "findings-table":
            self._in_findings = True
        if self._in_findings and tag == "tr" and "finding" in classes:
            self.findings_rows += 1
        if tag not in VOID:
            self.stack.append(current)

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._in_findings = False
        if tag not in VOID and self.stack:
            self.stack.pop()


def _chromium() -> str:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    pytest.fail(
        "headless Chromium not found: install it with `apt-get install chromium` "
        "(Debian package; .ci/run installs it in CI)"
    )


def _dump_dom(browser: str, page: Path, profile: Path) -> str:
    result = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=15000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, f"chromium failed ({result.returncode}): {result.stderr[-2000:]}"
    return result.stdout


@pytest.fixture(scope="module")
def report_file(built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_report(built_warehouse, tmp_path_factory.mktemp("report") / "report.html")


def test_report_is_self_contained(report_file: Path) -> None:
    text = report_file.read_text(encoding="utf-8")
    assert "<script src=" not in text, "the report must not load scripts from the network"
    assert "Plotly" in text and len(text) > 1_000_000, "plotly.js must be embedded inline"


def test_every_chart_renders_in_headless_chromium(
    report_file: Path, built_warehouse: Path, tmp_path: Path
) -> None:
    browser = _chromium()
    dom = _dump_dom(browser, report_file, tmp_path / "profile")
    scan = ChartScan()
    scan.feed(dom)

    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        studies = {
            r[0]
            for r in con.execute(
                "select distinct study_id from marts.fct_abnormal_returns where not in_estimation_window"
            ).fetchall()
        }
        has_findings = bool(
            con.execute(
                "select count(*) from information_schema.tables "
                "where table_schema = 'marts' and table_name = 'fct_findings'"
            ).fetchone()[0]
        )
    assert studies, "the warehouse has no event-study results to draw"
    expected = {f"caar-{s}" for s in studies} | FIXED_CHARTS
    assert set(scan.svgs) == expected, f"chart containers {sorted(scan.svgs)} != {sorted(expected)}"
    blank = sorted(chart for chart, n in scan.svgs.items() if n == 0)
    assert not blank, f"charts without a rendered plotly svg: {blank}"

    if has_findings:
        assert scan.findings_rows > 0, "the findings table rendered no rows"
    else:
        assert 'class="not-built"' in dom, "missing fct_findings must show a 'not built' note"

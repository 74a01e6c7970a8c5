"""Open a Superset dashboard in headless Chromium as a person would, and report what it shows.

`python -m bi.dashboard_probe --url URL --slug SLUG --user U --screenshot PNG` (in bi/.venv)
logs in through the login form, opens the dashboard, waits (bounded) until every chart has its
data and has drawn it, saves a screenshot of the whole page and prints one JSON document:
the chart-data answers the page received (per chart), what each chart drew (canvas/svg, table
rows, error text) and every request to another host (none should get past the page's
content-security policy; any that does is aborted here and listed). The password comes from
BI_ADMIN_PASSWORD, never from the command line. Uses Debian's Chromium (--chromium), never a
downloaded browser.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, Request, Response, Route, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
CHART_DATA_PATH = "/api/v1/chart/data"
USER_INPUT = '[data-test="username-input"]'
PASSWORD_INPUT = '[data-test="password-input"]'
LOGIN_ATTEMPTS = 3
FILL_CHECKS = 20  # typing, then checking the fields FILL_SETTLE_MS later
FILL_SETTLE_MS = 500
LOGIN_WAIT_MS = 60_000  # a login answers in seconds; a form that posted nothing never does
VIEWPORT = {"width": 1440, "height": 1200}
VIEWPORT_GROWTHS = 3  # the page may grow again once laid out at the taller size

# Per chart on the dashboard: what it drew. Charts sit in [data-test-chart-id] holders.
DRAWN_JS = """
() => Array.from(document.querySelectorAll('[data-test-chart-id]')).map(holder => ({
    chart_id: Number(holder.getAttribute('data-test-chart-id')),
    name: holder.getAttribute('data-test-chart-name'),
    viz_type: holder.getAttribute('data-test-viz-type'),
    canvases: holder.querySelectorAll('canvas').length,
    svgs: holder.querySelectorAll('svg').length,
    table_rows: holder.querySelectorAll('table tbody tr').length,
    table_text: Array.from(holder.querySelectorAll('table tbody tr'))
        .map(row => Array.from(row.querySelectorAll('td')).map(td => td.innerText.trim())),
    loading: holder.querySelectorAll('[data-test="loading-indicator"], .loading').length,
    error: Array.from(holder.querySelectorAll('[role="alert"], .alert, [data-test="error-alert"]'))
        .map(e => e.innerText.trim()).join(' | '),
}))
"""


# A fingerprint of every chart canvas: ECharts animates its series in, so a screenshot waits until
# the pixels stop changing while the page keeps rendering frames (see wait_until_still).
CANVAS_FINGERPRINT_JS = """
() => Array.from(document.querySelectorAll('[data-test-chart-id] canvas')).map(canvas => {
    const data = canvas.toDataURL();
    let hash = 0;
    for (let i = 0; i < data.length; i += 7) hash = (hash * 31 + data.charCodeAt(i)) | 0;
    return `${data.length}:${hash}`;
})
"""


# Resolves after the page has run N animation frames. On a busy machine the browser may render no
# frame for a while: two identical polls then prove nothing, the animation is merely stalled.
ANIMATION_FRAMES_JS = """
n => new Promise(done => {
    const step = left => left <= 0 ? done() : requestAnimationFrame(() => step(left - 1));
    step(n);
})
"""


class Recorder:
    """Collects chart-data answers and requests to other hosts while the page runs."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.chart_data: dict[int, dict[str, Any]] = {}
        self.outside: list[str] = []

    def route(self, route: Route) -> None:
        url = route.request.url
        if url.startswith((self.base_url + "/", "data:", "blob:")) or url == self.base_url:
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def response(self, response: Response) -> None:
        if CHART_DATA_PATH not in response.url or response.request.method != "POST":
            return
        slice_id = _slice_id(response.request)
        try:
            body = response.json()
        except Exception as exc:  # an HTML error page instead of JSON is itself the finding
            body = {"error": f"not JSON: {exc}"}
        self.chart_data[slice_id] = {"status": response.status, "body": body}


def _slice_id(request: Request) -> int:
    payload = request.post_data_json or {}
    form_data = payload.get("form_data") or {}
    return int(form_data.get("slice_id") or -1)


def log_in(page: Page, base_url: str, user: str, password: str, timeout_ms: int) -> None:
    """Log in through the form, as a person would. With Chromium 156 the dashboard tests saw the
    page stay on /login after submitting, now and then (the cause is not pinned down; a React
    form typed into before it settles can lose the values on a re-render). So: wait until the
    page is idle, check what the fields hold before submitting, and try a few times; the last
    failure says what the page shows."""
    shown = ""
    for _attempt in range(LOGIN_ATTEMPTS):
        page.goto(f"{base_url}/login/", timeout=timeout_ms, wait_until="networkidle")
        if not _typed_and_kept(page, user, password, timeout_ms):
            continue  # the form kept re-rendering: load it again
        page.click('[data-test="login-button"]', timeout=timeout_ms)
        try:
            page.wait_for_url(
                lambda url: "/login" not in url, timeout=min(timeout_ms, LOGIN_WAIT_MS)
            )
            return
        except PlaywrightTimeoutError:
            shown = " ".join(page.inner_text("body").split())[:500]
    raise RuntimeError(
        f"still on {page.url} after {LOGIN_ATTEMPTS} logins through the form; "
        f"the page shows: {shown or '(the fields lost what was typed)'}"
    )


def _typed_and_kept(page: Page, user: str, password: str, timeout_ms: int) -> bool:
    """Type the credentials until the fields still hold them a moment later."""
    for _ in range(FILL_CHECKS):
        page.fill(USER_INPUT, user, timeout=timeout_ms)
        page.fill(PASSWORD_INPUT, password, timeout=timeout_ms)
        page.wait_for_timeout(FILL_SETTLE_MS)
        if page.input_value(USER_INPUT) == user and page.input_value(PASSWORD_INPUT) == password:
            return True
    return False


def dashboard_charts(page: Page, base_url: str, slug: str) -> list[dict[str, Any]]:
    """The dashboard's charts from Superset's REST API, with the browser's session."""
    answer = page.request.get(f"{base_url}/api/v1/dashboard/{slug}/charts")
    if not answer.ok:
        raise RuntimeError(f"GET dashboard charts: HTTP {answer.status}: {answer.text()[:500]}")
    return [
        {"id": chart["id"], "name": chart["slice_name"], "viz_type": chart["form_data"]["viz_type"]}
        for chart in answer.json()["result"]
    ]


def _settled(drawn: dict[str, Any]) -> bool:
    """A chart has drawn its data (canvas/svg or table rows) or shows an error."""
    if drawn["error"]:
        return True
    if drawn["loading"]:
        return False
    return drawn["table_rows"] > 0 if drawn["viz_type"] == "table" else drawn["canvases"] > 0


def wait_for_charts(
    page: Page, recorder: Recorder, chart_ids: set[int], timeout_s: float
) -> list[dict[str, Any]]:
    """Poll until every chart has its data answer and has drawn it (or failed); bounded."""
    deadline = time.monotonic() + timeout_s
    while True:
        drawn = page.evaluate(DRAWN_JS)
        by_id = {d["chart_id"]: d for d in drawn}
        answered = chart_ids <= set(recorder.chart_data)
        if answered and chart_ids <= set(by_id) and all(_settled(by_id[i]) for i in chart_ids):
            return drawn
        if time.monotonic() > deadline:
            missing = sorted(chart_ids - set(recorder.chart_data))
            raise TimeoutError(
                f"charts not rendered after {timeout_s:.0f} s; no data answer for {missing}; "
                f"drawn: {json.dumps(drawn)[:2000]}"
            )
        page.wait_for_timeout(500)


def wait_until_still(
    page: Page, timeout_s: float, poll_ms: int = 400, frames: int = 10, polls: int = 3
) -> None:
    """Poll the canvases' pixels until ``polls`` polls in a row agree, with at least ``frames``
    rendered animation frames between two polls (an animation advances on every frame, so pixels
    unchanged over rendered frames mean it has ended, however slow the machine); bounded."""
    deadline = time.monotonic() + timeout_s
    seen: list[object] = []
    while True:
        current = page.evaluate(CANVAS_FINGERPRINT_JS)
        # no canvas at all: the dashboard is being laid out again, not still
        seen = [*seen, current][-polls:] if current and seen and seen[-1] == current else [current]
        if len(seen) == polls:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"charts still changing after {timeout_s:.0f} s")
        page.wait_for_timeout(poll_ms)
        page.evaluate(ANIMATION_FRAMES_JS, frames)


def grow_viewport_to_page(page: Page) -> bool:
    """Make the viewport as tall as the page; True when it had to grow. A full-page screenshot of
    a taller page captures beyond the viewport, which lays the page out again at the taller size:
    Superset then redraws its dashboard grid, and a capture in CI caught it empty (the grid's grey
    background down to the old viewport's height, no chart, every chart drawn a moment before). With the whole page
    in the viewport the screenshot is the viewport, and nothing is laid out again."""
    height = page.evaluate("() => document.documentElement.scrollHeight")
    viewport = page.viewport_size or {"width": VIEWPORT["width"], "height": 0}
    if height <= viewport["height"]:
        return False
    page.set_viewport_size({"width": viewport["width"], "height": height})
    return True


def probe(args: argparse.Namespace, password: str) -> dict[str, Any]:
    base_url = args.url.rstrip("/")
    recorder = Recorder(base_url)
    timeout_ms = int(args.timeout * 1000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(args.chromium), headless=True, args=CHROMIUM_FLAGS
        )
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.route("**/*", recorder.route)
            page.on("response", recorder.response)
            console_errors: list[str] = []
            page.on(
                "console", lambda m: console_errors.append(m.text) if m.type == "error" else None
            )
            log_in(page, base_url, args.user, password, timeout_ms)
            charts = dashboard_charts(page, base_url, args.slug)
            response = page.goto(f"{base_url}/superset/dashboard/{args.slug}/", timeout=timeout_ms)
            csp = (response.headers.get("content-security-policy") if response else None) or ""
            chart_ids = {c["id"] for c in charts}
            drawn = wait_for_charts(page, recorder, chart_ids, args.timeout)
            for _ in range(VIEWPORT_GROWTHS):
                if not grow_viewport_to_page(page):
                    break
                # laid out again at the new size: drawn again before anything is judged
                drawn = wait_for_charts(page, recorder, chart_ids, args.timeout)
            wait_until_still(page, args.timeout)
            if args.screenshot:
                args.screenshot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.screenshot))  # the viewport holds the whole page
        finally:
            browser.close()
    return {
        "charts": charts,
        "chart_data": {str(k): v for k, v in recorder.chart_data.items()},
        "drawn": drawn,
        "outside_requests": recorder.outside,
        "content_security_policy": csp,
        "console_errors": console_errors,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bi.dashboard_probe", description=__doc__)
    parser.add_argument("--url", required=True, help="Superset, e.g. http://127.0.0.1:8088")
    parser.add_argument("--slug", required=True, help="the dashboard's slug")
    parser.add_argument("--user", default=os.environ.get("BI_ADMIN_USER") or "admin")
    parser.add_argument("--chromium", type=Path, default=Path("/usr/bin/chromium"))
    parser.add_argument("--screenshot", type=Path)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds, for each wait")
    args = parser.parse_args(argv)
    password = os.environ.get("BI_ADMIN_PASSWORD")
    if not password:
        print("set BI_ADMIN_PASSWORD", file=sys.stderr)
        return 2
    json.dump(probe(args, password), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())

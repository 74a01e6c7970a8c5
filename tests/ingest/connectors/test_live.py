"""fetch_live against a local server standing in for each API, base URLs set via env vars.

The served bytes are real: the FRED CSVs and the DeFiLlama /hacks JSON are the landing files
verbatim; Yahoo chart and Binance klines JSON are rebuilt from real rows. Facts are asserted
after running the fetched bytes through the format's parser, as the loader would.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pandas as pd
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from ingest.catalog import LIVE_SOURCES, LiveSpec
from ingest.connectors.http import project_version
from ingest.connectors.live import BASE_URL_ENV, LiveSpecError, base_url, fetch_live
from ingest.errors import FetchError
from ingest.parsers import FORMATS, ParseContext
from tests.ingest.connectors.support import (
    binance_klines,
    ms,
    parser_for,
    payload_json,
    yahoo_chart_json,
)

NOW = datetime(2025, 2, 1, 0, 0, tzinfo=UTC)


@pytest.fixture
def base(httpserver: HTTPServer, monkeypatch) -> str:
    """Point every live source at the local server."""
    url = httpserver.url_for("/").rstrip("/")
    for env, _default in BASE_URL_ENV.values():
        monkeypatch.setenv(env, url)
    return url


def parse(payload, series_id: str = "s") -> pd.DataFrame:
    result = parser_for(payload.format)(payload.content, ParseContext(payload.origin, series_id))
    return result.frame


def on(frame: pd.DataFrame, day: str, column: str = "bar_date") -> pd.Series:
    rows = frame[frame[column] == pd.Timestamp(day)]
    assert len(rows) == 1, f"{len(rows)} rows on {day}"
    return rows.iloc[0]


def test_every_catalog_source_has_an_env_base_url():
    assert set(BASE_URL_ENV) == LIVE_SOURCES


def test_default_base_urls(monkeypatch):
    for env, _default in BASE_URL_ENV.values():
        monkeypatch.delenv(env, raising=False)
    assert base_url("yahoo_chart") == "https://query1.finance.yahoo.com"
    assert base_url("fred") == "https://fred.stlouisfed.org"
    assert base_url("binance_klines") == "https://api.binance.com"
    assert base_url("defillama_hacks") == "https://api.llama.fi"
    assert base_url("farside") == "https://farside.co.uk"
    monkeypatch.setenv("FRED_BASE_URL", "http://proxy.internal/fred/")
    assert base_url("fred") == "http://proxy.internal/fred"


# ------------------------------------------------------------------ FRED


@pytest.mark.parametrize(
    ("series", "path", "day", "value"),
    [("DGS10", "macro/fred_DGS10.csv", "2025-01-27", 4.53),
     ("DTWEXBGS", "fx/fred_DTWEXBGS.csv", "2025-01-27", 128.0912)],
)  # fmt: skip
def test_fred_csv_verbatim(
    httpserver: HTTPServer, base, make_client, read_landing, series, path, day, value
):
    body = read_landing(path)
    httpserver.expect_request(
        "/graph/fredgraph.csv", query_string={"id": series}
    ).respond_with_data(body, content_type="text/csv")
    payloads = fetch_live(LiveSpec("fred", {"series": series}), make_client())

    assert len(payloads) == 1
    payload = payloads[0]
    assert payload.origin == f"{base}/graph/fredgraph.csv?id={series}"
    assert payload.format == "fred_csv" and payload.content == body
    assert payload.fetched_at.tzinfo is not None
    request, _ = httpserver.log[0]
    assert request.headers["User-Agent"].startswith(f"event-study-warehouse/{project_version()}")
    assert f"\n{day},{value}\n".encode() in payload.content

    frame = parse(payload, series.lower())
    assert on(frame, day)["close"] == pytest.approx(value)
    assert (frame["series_id"] == series.lower()).all()


# ------------------------------------------------------------------ DeFiLlama


def test_defillama_hacks_verbatim(httpserver: HTTPServer, base, make_client, read_landing):
    body = read_landing("hacks/defillama_hacks.json")
    httpserver.expect_request("/hacks").respond_with_data(body, content_type="application/json")

    (payload,) = fetch_live(LiveSpec("defillama_hacks"), make_client())

    assert payload.origin == f"{base}/hacks"
    assert payload.format == "defillama_hacks_json" and payload.content == body
    records = json.loads(payload.content)
    assert len(records) == 538
    bybit = next(r for r in records if r["name"] == "Bybit")
    assert (bybit["date"], bybit["amount"]) == (1740096000, 1_400_000_000)

    frame = parse(payload, "hacks")
    row = on(frame[frame["name"] == "Bybit"], "2025-02-21", "incident_date")
    assert row["amount_usd"] == pytest.approx(1.4e9)
    infini = on(frame[frame["name"] == "Infini"], "2025-02-24", "incident_date")
    assert infini["amount_usd"] == pytest.approx(49.5e6)


# ------------------------------------------------------------------ Yahoo chart


@pytest.fixture(scope="module")
def nvda_chart(read_landing) -> bytes:
    document = yahoo_chart_json(
        read_landing("equities/yf_NVDA.csv"), "NVDA", date(2024, 12, 2), date(2025, 1, 31)
    )
    return payload_json(document)


def test_yahoo_chart_with_start(httpserver: HTTPServer, base, make_client, nvda_chart):
    httpserver.expect_request("/v8/finance/chart/NVDA").respond_with_data(
        nvda_chart, content_type="application/json"
    )
    spec = LiveSpec("yahoo_chart", {"symbol": "NVDA", "start": date(2024, 12, 2)})

    (payload,) = fetch_live(spec, make_client(), now=NOW)

    request, _ = httpserver.log[0]
    assert request.args["interval"] == "1d"
    assert request.args["period1"] == str(int(datetime(2024, 12, 2, tzinfo=UTC).timestamp()))
    assert request.args["period2"] == str(int(NOW.timestamp()))
    assert request.args["events"] == "div,split"
    assert "range" not in request.args
    assert payload.origin.startswith(f"{base}/v8/finance/chart/NVDA?interval=1d&period1=")
    assert "events=div,split" in payload.origin
    assert payload.format == "yahoo_chart_json" and payload.content == nvda_chart

    frame = parse(payload, "nvda")
    deepseek = on(frame, "2025-01-27")  # the DeepSeek selloff
    assert deepseek["close"] == pytest.approx(118.2434, abs=1e-4)
    assert on(frame, "2025-01-24")["close"] == pytest.approx(142.4073, abs=1e-4)
    assert on(frame, "2024-12-05")["dividends"] == pytest.approx(0.01)
    assert len(frame) == 41  # 20 December + 21 January sessions (Jan 9 closed)


def test_yahoo_chart_range_and_escaped_symbol(httpserver: HTTPServer, base, make_client):
    httpserver.expect_request("/v8/finance/chart/^GSPC").respond_with_data("{}")
    spec = LiveSpec("yahoo_chart", {"symbol": "^GSPC", "range": "5y"})

    (payload,) = fetch_live(spec, make_client(), now=NOW)

    assert payload.origin.startswith(f"{base}/v8/finance/chart/%5EGSPC?interval=1d&range=5y")
    request, _ = httpserver.log[0]
    assert request.args["range"] == "5y" and "period1" not in request.args


def test_yahoo_chart_defaults_to_max_range(httpserver: HTTPServer, base, make_client):
    httpserver.expect_request("/v8/finance/chart/GC=F").respond_with_data("{}")
    (payload,) = fetch_live(LiveSpec("yahoo_chart", {"symbol": "GC=F"}), make_client())
    assert "/v8/finance/chart/GC%3DF?" in payload.origin
    assert httpserver.log[0][0].args["range"] == "max"


# ------------------------------------------------------------------ Binance


@pytest.fixture(scope="module")
def btc_klines(read_landing) -> list[list]:
    return binance_klines(read_landing("crypto_prices/binance_spot_1d_BTCUSDT.csv"))


def serve_klines(httpserver: HTTPServer, rows: list[list], honour_start: bool = True) -> None:
    """Answer /api/v3/klines like Binance: bars with openTime >= startTime, at most limit."""

    def handler(request: Request) -> Response:
        start = int(request.args.get("startTime", 0)) if honour_start else 0
        limit = int(request.args.get("limit", 500))
        page = [r for r in rows if r[0] >= start][:limit]
        return Response(json.dumps(page), content_type="application/json")

    httpserver.expect_request("/api/v3/klines", query_string=None).respond_with_handler(handler)


def test_binance_paginates_until_a_short_page(
    httpserver: HTTPServer, base, make_client, btc_klines
):
    assert len(btc_klines) == 2924
    serve_klines(httpserver, btc_klines)
    spec = LiveSpec("binance_klines", {"symbol": "btcusdt", "start": "2018-01-01"})

    payloads = fetch_live(spec, make_client())

    assert [len(json.loads(p.content)) for p in payloads] == [1000, 1000, 924]
    starts = [int(request.args["startTime"]) for request, _ in httpserver.log]
    assert starts == [ms("2018-01-01"), btc_klines[999][0] + 1, btc_klines[1999][0] + 1]
    for request, _ in httpserver.log:
        assert (request.args["symbol"], request.args["interval"]) == ("BTCUSDT", "1d")
        assert request.args["limit"] == "1000"
    assert payloads[0].origin == (
        f"{base}/api/v3/klines?symbol=BTCUSDT&interval=1d&startTime={ms('2018-01-01')}&limit=1000"
    )
    assert {p.format for p in payloads} == {"binance_klines_json"}

    frames = [parse(p, "btc") for p in payloads]
    bars = pd.concat(frames, ignore_index=True)
    assert len(bars) == 2924 and bars["bar_date"].is_unique
    assert bars["bar_date"].min() == pd.Timestamp("2018-01-01")
    assert bars["bar_date"].max() == pd.Timestamp("2026-01-02")
    bybit_day = on(bars, "2025-02-21")
    assert bybit_day["close"] == pytest.approx(96181.98)
    assert bybit_day["quote_volume"] == pytest.approx(3143975917.573464)


def test_binance_exact_multiple_of_limit_stops_on_empty_page(
    httpserver: HTTPServer, base, make_client, btc_klines
):
    serve_klines(httpserver, btc_klines[:2000])
    payloads = fetch_live(LiveSpec("binance_klines", {"symbol": "BTCUSDT"}), make_client())
    assert len(httpserver.log) == 3  # the third request finds nothing
    assert [len(json.loads(p.content)) for p in payloads] == [1000, 1000]
    assert httpserver.log[0][0].args["startTime"] == "0"  # no start: from the first bar


def test_binance_server_ignoring_start_time_cannot_loop(
    httpserver: HTTPServer, base, make_client, btc_klines
):
    serve_klines(httpserver, btc_klines, honour_start=False)
    spec = LiveSpec("binance_klines", {"symbol": "BTCUSDT", "start": "2025-01-01"})
    with pytest.raises(FetchError, match="did not advance"):
        fetch_live(spec, make_client())


def test_binance_invalid_symbol_fails_fast(httpserver: HTTPServer, base, make_client, sleeps):
    httpserver.expect_request("/api/v3/klines").respond_with_json(
        {"code": -1121, "msg": "Invalid symbol."}, status=400
    )
    with pytest.raises(FetchError, match="Invalid symbol") as info:
        fetch_live(LiveSpec("binance_klines", {"symbol": "NOPEUSDT"}), make_client())
    assert f"{base}/api/v3/klines?symbol=NOPEUSDT" in str(info.value)
    assert sleeps.waits == []


# ------------------------------------------------------------------ Farside


@pytest.mark.parametrize(
    ("product", "path", "csv_path"),
    [("btc", "/bitcoin-etf-flow-all-data/", "etf_flows/farside_btc_etf_flows__daily.csv"),
     ("ETH", "/ethereum-etf-flow-all-data/", "etf_flows/farside_eth_etf_flows__daily.csv")],
)  # fmt: skip
def test_farside_pages(
    httpserver: HTTPServer, base, make_client, read_landing, product, path, csv_path
):
    # A page-shaped table from the real CSV's first rows (no HTML snapshot is stored).
    lines = read_landing(csv_path).decode().splitlines()[:4]
    cells = [line.split(",") for line in lines]
    html = "<table>" + "".join(
        "<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in cells
    ) + "</table>"  # fmt: skip
    httpserver.expect_request(path).respond_with_data(html, content_type="text/html")

    (payload,) = fetch_live(LiveSpec("farside", {"product": product}), make_client())

    assert payload.origin == f"{base}{path}"
    assert payload.format == "farside_html" and payload.content == html.encode()
    assert FORMATS[payload.format].dataset == "etf_flows"


# ------------------------------------------------------------------ errors


def test_source_error_propagates_with_url(httpserver: HTTPServer, base, make_client):
    httpserver.expect_request("/graph/fredgraph.csv").respond_with_data("gone", status=404)
    with pytest.raises(FetchError) as info:
        fetch_live(LiveSpec("fred", {"series": "NOPE"}), make_client())
    assert f"{base}/graph/fredgraph.csv?id=NOPE" in str(info.value)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (LiveSpec("bloomberg", {}), "unknown live source 'bloomberg'"),
        (LiveSpec("fred", {}), "needs parameter 'series'"),
        (LiveSpec("yahoo_chart", {"symbol": " "}), "needs parameter 'symbol'"),
        (LiveSpec("binance_klines", {"start": "2018-01-01"}), "needs parameter 'symbol'"),
        (LiveSpec("farside", {}), "needs parameter 'product'"),
        (LiveSpec("farside", {"product": "sol"}), "'product' must be one of"),
        (LiveSpec("binance_klines", {"symbol": "X", "start": "Jan 2018"}), "'start' must be"),
    ],
)
def test_bad_specs_fail_before_any_request(
    httpserver: HTTPServer, base, make_client, spec, message
):
    with pytest.raises(LiveSpecError, match=message):
        fetch_live(spec, make_client())
    assert httpserver.log == []

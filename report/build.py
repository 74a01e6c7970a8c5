"""Read the marts (read-only), draw the charts with plotly and write one self-contained HTML file.

plotly.js is embedded inline once in the page head, so the file opens without any network.
Every chart sits in ``<section class="report-chart" id="chart-...">``; the findings table in
``<section class="report-table" id="findings">``. A mart that is missing renders a visible
"not built" note instead of failing the report.

CAAR bands (one chart per study): for the study's pairs i with an abnormal return on event-window
day t (N_t pairs), AAR_t = mean_i AR_it and CAAR(tau) = sum of AAR_t from the first event-window
day to tau. Treating ARs as independent across pairs and days with variance s_i^2 (the residual
variance of the pair's normal-return model, fct_event_model_fit.sigma),
Var(CAAR(tau)) = sum_t (1 / N_t^2) sum_i s_i^2, and the band is CAAR +/- 1.96 sqrt(Var). It
ignores the prediction error of the fitted model and cross-correlation between pairs that share an
event date, so it is narrower than the study's KP / BMP tests in fct_event_study_summary.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from ingest.config import REPO_ROOT, load_settings

CHART_CLASS = "report-chart"
TABLE_CLASS = "report-table"
Z_95 = 1.959963984540054
HKD_STRONG, HKD_WEAK = 7.75, 7.85
FINDINGS_COLUMNS = [
    "claim_id",
    "claim",
    "metric",
    "period_start",
    "period_end",
    "value",
    "verdict",
    "test",
    "statistic_name",
    "statistic",
    "p_value",
    "threshold",
    "decision_rule",
    "evidence",
    "note",
]
# The claim registry (dbt seed finding_parameters: claim text, events, products, windows and
# thresholds of every finding). dbt loads seeds into the target schema, main; the published copy
# the report normally reads carries no schema main, so the seed's CSV is the fallback.
REGISTRY_SEED = REPO_ROOT / "dbt_project" / "seeds" / "finding_parameters.csv"
REGISTRY_SCHEMA = "main"
BYBIT_CLAIM = "bybit_btc_etf_outflows"
VERDICT_COLOURS = {
    "supported": "#d8f0d8",
    "coincided with": "#e3edf7",
    "not supported": "#f8d7d7",
    "inconclusive": "#fbeec8",
}


def default_report_file() -> Path:
    """REPORT_FILE (relative paths from the repository root), else reports/warehouse_report.html."""
    return load_settings().report_file


def _has_table(con: duckdb.DuckDBPyConnection, name: str, schema: str = "marts") -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchone()[0]
    )


def _columns(con: duckdb.DuckDBPyConnection, name: str, schema: str = "marts") -> set[str]:
    """Column names of a table (empty when it does not exist)."""
    rows = con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchall()
    return {r[0] for r in rows}


def finding_param(con: duckdb.DuckDBPyConnection, claim_id: str, parameter: str) -> str | None:
    """One value of the claim registry (as macro finding_param reads it in dbt), or None.

    From the warehouse's copy of seed finding_parameters when it has one, else from the seed CSV.
    """
    if _has_table(con, "finding_parameters", schema=REGISTRY_SCHEMA):
        row = con.execute(
            f"select value from {REGISTRY_SCHEMA}.finding_parameters "
            "where claim_id = ? and parameter = ?",
            [claim_id, parameter],
        ).fetchone()
        return row[0] if row else None
    with REGISTRY_SEED.open(newline="", encoding="utf-8") as seed:
        for row in csv.DictReader(seed):
            if row["claim_id"] == claim_id and row["parameter"] == parameter:
                return row["value"]
    return None


def _layout(fig: go.Figure, title: str, **kwargs) -> go.Figure:
    layout = {
        "title": {"text": title, "x": 0.01},
        "template": "plotly_white",
        "height": 420,
        "margin": {"l": 70, "r": 70, "t": 60, "b": 50},
        "legend": {"orientation": "h", "y": -0.2},
        "hovermode": "x unified",
    }
    fig.update_layout(**(layout | kwargs))
    return fig


def _empty(title: str, message: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(
        text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font={"size": 16}
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, title)


# ---------------------------------------------------------------- CAAR paths


def _caar_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per study and event-window relative day: CAAR and its 95% band (module docstring)."""
    return con.execute(
        """
        with days as (
            select ar.study_id, ar.relative_day,
                   count(*) as n_pairs,
                   avg(ar.abnormal_return) as aar,
                   sum(fit.sigma * fit.sigma) / (count(*) * count(*)) as var_aar
            from marts.fct_abnormal_returns ar
            join marts.fct_event_model_fit fit using (study_id, event_id, asset_id)
            where not ar.in_estimation_window and ar.abnormal_return is not null
            group by 1, 2
        )
        select study_id, relative_day, n_pairs, aar,
               sum(aar) over w as caar,
               sqrt(sum(var_aar) over w) as se_caar
        from days
        window w as (partition by study_id order by relative_day
                     rows between unbounded preceding and current row)
        order by study_id, relative_day
        """
    ).df()


def _caar_figure(
    study_id: str, df: pd.DataFrame, n_events: int, n_assets: int, is_flow: bool = False
) -> go.Figure:
    # a study of flow series (returns: level) has abnormal flows in USD, not returns
    value = "%{y:$,.4s}" if is_flow else "%{y:.2%}"
    aar = "%{customdata[1]:$,.4s}" if is_flow else "%{customdata[1]:.2%}"
    lower = df["caar"] - Z_95 * df["se_caar"]
    upper = df["caar"] + Z_95 * df["se_caar"]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=list(df["relative_day"]) + list(df["relative_day"])[::-1],
            y=list(upper) + list(lower)[::-1],
            fill="toself",
            mode="lines",
            fillcolor="rgba(31,119,180,0.18)",
            line={"width": 0},
            hoverinfo="skip",
            name="95% band",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=df["relative_day"],
            y=df["caar"],
            mode="lines+markers",
            line={"color": "#1f77b4", "width": 2.5},
            name="CAAR",
            customdata=df[["n_pairs", "aar"]],
            hovertemplate=f"CAAR {value}<br>AAR {aar}<br>pairs %{{customdata[0]}}<extra></extra>",
        )
    )
    fig.add_hline(y=0, line={"color": "#888", "width": 1})
    fig.add_vline(x=0, line={"color": "#c44", "width": 1, "dash": "dot"})
    fig.update_xaxes(title="relative trading day (0 = event day)", dtick=1)
    if is_flow:
        fig.update_yaxes(title="cumulative abnormal flow (USD)", tickformat="$,.3s")
    else:
        fig.update_yaxes(title="cumulative abnormal return", tickformat=".1%")
    return _layout(
        fig,
        f"CAAR: {study_id} ({_plural(n_events, 'event')}, {_plural(n_assets, 'asset')}, 95% band)",
        hovermode="x",
    )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _caar_charts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, go.Figure]]:
    needed = ("fct_abnormal_returns", "fct_event_model_fit")
    missing = [t for t in needed if not _has_table(con, t)]
    if missing:
        msg = f"not built: marts.{', marts.'.join(missing)}"
        return [("caar", "CAAR paths", _empty("CAAR paths", msg))]
    frame = _caar_frame(con)
    counts = dict(
        (row[0], row[1:])
        for row in con.execute(
            # flow series (ETF net flows) are study assets but not price series of dim_asset
            "select study_id, count(distinct event_id), count(distinct asset_id), "
            "bool_and(asset_id not in (select asset_id from marts.dim_asset)) "
            "from marts.fct_event_model_fit group by 1"
        ).fetchall()
    )
    if frame.empty:
        return [("caar", "CAAR paths", _empty("CAAR paths", "no included event-asset pairs"))]
    charts = []
    for study_id, df in frame.groupby("study_id", sort=True):
        n_events, n_assets, is_flow = counts.get(study_id, (0, 0, False))
        fig = _caar_figure(study_id, df, n_events, n_assets, bool(is_flow))
        charts.append((f"caar-{study_id}", f"CAAR {study_id}", fig))
    return charts


# ---------------------------------------------------------------- ETF flows around Bybit


def _bybit_flows_chart(con: duckdb.DuckDBPyConnection) -> go.Figure:
    # The event and product of the flow claim come from the claim registry, not from here.
    event_id = finding_param(con, BYBIT_CLAIM, "event_id")
    product = finding_param(con, BYBIT_CLAIM, "product")
    title = f"{product} spot-ETF flows around the Bybit hack{_event_date_suffix(con, event_id)}"
    if not _has_table(con, "fct_event_etf_flows"):
        return _empty(title, "not built: marts.fct_event_etf_flows")
    df = con.execute(
        """
        select event_id, relative_day, trade_date, flow_usd / 1e6 as flow_m,
               abnormal_flow_usd / 1e6 as abnormal_m,
               cumulative_abnormal_flow_usd / 1e6 as caf_m,
               estimation_mean_flow_usd / 1e6 as mean_m
        from marts.fct_event_etf_flows
        where product = ? and event_id = ? and is_event_period_day
        order by relative_day
        """,
        [product, event_id],
    ).df()
    if df.empty:
        return _empty(title, f"no {product} ETF flow rows for event {event_id}")
    dates = df["trade_date"].astype(str)
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=df["relative_day"],
            y=df["flow_m"],
            name="daily net flow (USD m)",
            marker_color=["#2a9d5c" if v >= 0 else "#d1495b" for v in df["flow_m"].fillna(0)],
            customdata=dates,
            hovertemplate="%{customdata}: flow %{y:,.1f}m<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=df["relative_day"],
            y=df["caf_m"],
            name="cumulative abnormal flow (USD m)",
            mode="lines+markers",
            line={"color": "#1d3557", "width": 2.5},
            yaxis="y2",
            hovertemplate="cumulative abnormal %{y:,.0f}m<extra></extra>",
        )
    )
    fig.add_vline(x=0, line={"color": "#c44", "width": 1, "dash": "dot"})
    fig.update_xaxes(title=f"XNYS sessions from day 0 ({df['event_id'].iloc[0]})", dtick=1)
    return _layout(
        fig,
        title,
        yaxis={"title": "daily net flow, USD m", "zeroline": True},
        yaxis2={
            "title": "cumulative abnormal flow, USD m",
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
        },
    )


def _event_date_suffix(con: duckdb.DuckDBPyConnection, event_id: str | None) -> str:
    """' (YYYY-MM-DD)': the event's date from marts.dim_event, or '' when it is not there."""
    if event_id is None or "event_date" not in _columns(con, "dim_event"):
        return ""
    row = con.execute(
        "select event_date from marts.dim_event where event_id = ?", [event_id]
    ).fetchone()
    return f" ({row[0]})" if row and row[0] is not None else ""


# ---------------------------------------------------------------- HKD band


def _hkd_band_chart(con: duckdb.DuckDBPyConnection) -> go.Figure:
    title = "USD/HKD in the Linked Exchange Rate band, 2024-2025"
    if not _has_table(con, "fct_fx_daily"):
        return _empty(title, "not built: marts.fct_fx_daily")
    df = con.execute(
        """
        select date, rate, band_position, pips_from_strong_side
        from marts.fct_fx_daily
        where pair = 'USD/HKD' and date between date '2024-01-01' and date '2025-12-31'
        order by date
        """
    ).df()
    if df.empty:
        return _empty(title, "no USD/HKD rates in 2024-2025")
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=df["date"],
            y=df["rate"],
            mode="lines",
            name="USD/HKD (HKD per USD)",
            line={"color": "#6a4c93", "width": 1.8},
            customdata=df[["band_position", "pips_from_strong_side"]],
            hovertemplate="%{y:.4f}<br>band position %{customdata[0]:.2f}"
            "<br>%{customdata[1]:.0f} pips above 7.75<extra></extra>",
        )
    )
    fig.add_hline(
        y=HKD_STRONG,
        line={"color": "#2a9d5c", "dash": "dash"},
        annotation_text="7.75 strong side (band position 0)",
        annotation_position="bottom left",
    )
    fig.add_hline(
        y=HKD_WEAK,
        line={"color": "#d1495b", "dash": "dash"},
        annotation_text="7.85 weak side (band position 1)",
        annotation_position="top left",
    )
    lo = min(HKD_STRONG, float(df["rate"].min())) - 0.01
    hi = max(HKD_WEAK, float(df["rate"].max())) + 0.01
    fig.update_yaxes(title="HKD per USD", range=[lo, hi], tickformat=".3f")
    return _layout(fig, title, hovermode="x")


# ---------------------------------------------------------------- hack losses


def _hack_monthly_chart(con: duckdb.DuckDBPyConnection) -> go.Figure:
    title = "Monthly crypto hack losses (reconciled incidents, hacks and exploits only)"
    if not _has_table(con, "fct_hack_monthly"):
        return _empty(title, "not built: marts.fct_hack_monthly")
    # One row per month and scope: the chart shows scope 'hacks' (is_hack incidents); older
    # builds without a scope column have one row per month.
    scoped = "scope" in _columns(con, "fct_hack_monthly")
    df = con.execute(
        f"""
        select month, loss_usd / 1e6 as loss_m, n_incidents
        from marts.fct_hack_monthly {"where scope = 'hacks'" if scoped else ""} order by month
        """
    ).df()
    if df.empty:
        return _empty(title, "no hack incidents")
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=df["month"],
            y=df["loss_m"],
            name="losses (USD m)",
            marker_color="#e76f51",
            hovertemplate="%{x|%Y-%m}: %{y:,.0f}m<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=df["month"],
            y=df["n_incidents"],
            name="incidents",
            mode="lines",
            line={"color": "rgba(38,70,83,0.45)", "width": 1},
            yaxis="y2",
            hovertemplate="%{y} incidents<extra></extra>",
        )
    )
    return _layout(
        fig,
        title,
        yaxis={"title": "losses, USD m (log scale)", "type": "log"},
        yaxis2={"title": "incidents", "overlaying": "y", "side": "right", "showgrid": False},
    )


# ---------------------------------------------------------------- findings


def _fmt(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)


def _findings_html(con: duckdb.DuckDBPyConnection) -> str:
    head = '<section class="report-table" id="findings"><h2>Findings: the articles\' claims</h2>'
    if not _has_table(con, "fct_findings"):
        return (
            head
            + '<p class="not-built">not built: marts.fct_findings is not in this warehouse yet.</p></section>'
        )
    present = _columns(con, "fct_findings")
    columns = [c for c in FINDINGS_COLUMNS if c in present] or sorted(present)
    order = "claim_id" if "claim_id" in present else "1"
    select = ", ".join(f'"{c}"' for c in columns)
    rows = con.execute(f"select {select} from marts.fct_findings order by {order}").fetchall()
    if not rows:
        return head + '<p class="not-built">marts.fct_findings has no rows.</p></section>'
    out = [head, '<table id="findings-table"><thead><tr>']
    out += [f"<th>{html.escape(c)}</th>" for c in columns]
    out.append("</tr></thead><tbody>")
    for row in rows:
        record = dict(zip(columns, row, strict=True))
        verdict = str(record.get("verdict") or "")
        css = "verdict-" + verdict.replace(" ", "-") if verdict else ""
        out.append(f'<tr class="finding {css}">')
        for c in columns:
            style = ""
            if c == "verdict":
                style = (
                    f' style="background:{VERDICT_COLOURS.get(verdict, "#eee")};font-weight:600"'
                )
            out.append(f'<td class="col-{c}"{style}>{html.escape(_fmt(record[c]))}</td>')
        out.append("</tr>")
    out.append("</tbody></table></section>")
    return "".join(out)


# ---------------------------------------------------------------- page

CSS = """
body { font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; margin: 24px auto;
       max-width: 1200px; color: #222; padding: 0 16px; }
h1 { margin-bottom: 4px; } .meta { color: #666; font-size: 13px; }
section { margin: 28px 0; } .report-chart { border: 1px solid #e3e3e3; border-radius: 6px; padding: 6px; }
.method { font-size: 13px; color: #444; background: #f7f7f7; padding: 8px 12px; border-radius: 6px; }
.not-built { color: #a0522d; font-weight: 600; }
table { border-collapse: collapse; font-size: 13px; width: 100%; }
th, td { border: 1px solid #ddd; padding: 5px 7px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; } td.col-claim { min-width: 240px; } td.col-claim_id { white-space: nowrap; }
td.col-metric, td.col-evidence { min-width: 160px; } td.col-note { min-width: 220px; } td.col-value { text-align: right; white-space: nowrap; }
nav a { margin-right: 12px; font-size: 14px; }
"""


def build_report(db_path: Path | str, out_path: Path | str) -> Path:
    """Render the report of the warehouse at ``db_path`` into ``out_path``; returns its path."""
    db_path, out_path = Path(db_path).resolve(), Path(out_path).resolve()
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        charts = _caar_charts(con)
        charts += [
            ("etf-flows-bybit", "ETF flows around Bybit", _bybit_flows_chart(con)),
            ("hkd-band", "HKD band", _hkd_band_chart(con)),
            ("hack-monthly", "Hack losses", _hack_monthly_chart(con)),
        ]
        findings = _findings_html(con)
    finally:
        con.close()

    body = []
    for chart_id, _label, fig in charts:
        div = fig.to_html(
            full_html=False,
            include_plotlyjs=False,
            div_id=f"plot-{chart_id}",
            config={"displaylogo": False, "responsive": True},
        )
        body.append(
            f'<section class="{CHART_CLASS}" id="chart-{chart_id}" data-chart="{chart_id}">{div}</section>'
        )
    nav = (
        " ".join(f'<a href="#chart-{cid}">{html.escape(label)}</a>' for cid, label, _ in charts)
        + ' <a href="#findings">Findings</a>'
    )
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Event-study warehouse report</title>
<style>{CSS}</style>
<script type="text/javascript">{get_plotlyjs()}</script>
</head><body>
<h1>Event-study warehouse report</h1>
<p class="meta">Warehouse {html.escape(str(db_path))}, generated {generated}; {len(charts)} charts.</p>
<nav>{nav}</nav>
<p class="method">CAAR paths: AAR<sub>t</sub> = mean abnormal return of the study's event-asset
pairs on event-window day t (marts.fct_abnormal_returns), CAAR cumulates it from the first
event-window day. 95% band = CAAR &plusmn; 1.96 &radic;(&Sigma;<sub>t</sub> &Sigma;<sub>i</sub>
s<sub>i</sub><sup>2</sup> / N<sub>t</sub><sup>2</sup>), s<sub>i</sub> = residual standard deviation
of pair i's normal-return model (marts.fct_event_model_fit.sigma); it assumes independent ARs, so it
is narrower than the clustering-robust tests in marts.fct_event_study_summary.</p>
{"".join(body)}
{findings}
</body></html>
"""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_suffix(out_path.suffix + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(out_path)
    return out_path

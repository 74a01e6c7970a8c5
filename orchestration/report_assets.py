"""The HTML report (reports/warehouse_report.html) as a Dagster asset, downstream of the marts.

Dependencies are plain asset keys: when a mart (e.g. marts/fct_findings) is not in the dbt
manifest yet, Dagster shows it as an external asset and the definitions still load; the report
then says "not built" for it.
"""

import dagster as dg

from ingest.config import load_settings
from orchestration.ingest_assets import POOL

REPORT_KEY = dg.AssetKey(["reports", "warehouse_report"])
MARTS_READ = (
    "fct_findings",
    "fct_abnormal_returns",
    "fct_event_model_fit",
    "fct_event_etf_flows",
    "fct_fx_daily",
    "fct_hack_monthly",
)


def build_report_assets() -> list[dg.AssetsDefinition]:
    @dg.asset(
        key=REPORT_KEY,
        group_name="marts",
        deps=[dg.AssetKey(["marts", name]) for name in MARTS_READ],
        kinds={"python", "html"},
        pool=POOL,
        description="Self-contained HTML report of the marts: CAAR paths with 95% bands per "
        "study, BTC ETF flows around the Bybit hack, the USD/HKD band, monthly hack losses and "
        "the findings table (REPORT_FILE, default reports/warehouse_report.html).",
    )
    def warehouse_report() -> dg.MaterializeResult:
        from report.build import build_report, default_report_file

        path = build_report(load_settings().warehouse_db, default_report_file())
        return dg.MaterializeResult(
            metadata={
                "report": dg.MetadataValue.path(str(path)),
                "url": dg.MetadataValue.url("file://" + str(path)),
            }
        )

    return [warehouse_report]

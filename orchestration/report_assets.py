"""The HTML report (reports/warehouse_report.html) as a Dagster asset, downstream of the publish.

The report is a reader like any other: it reads the published copy (SERVING_DB), so it shows
exactly what readers see and is only rebuilt after a green build. A mart missing from the copy
shows as "not built" in the report.
"""

import dagster as dg

from orchestration.publish_assets import SERVING_KEY
from orchestration.resources import WarehouseSettings

REPORT_KEY = dg.AssetKey(["reports", "warehouse_report"])


def build_report_assets() -> list[dg.AssetsDefinition]:
    @dg.asset(
        key=REPORT_KEY,
        group_name="marts",
        deps=[SERVING_KEY],
        kinds={"python", "html"},
        automation_condition=dg.AutomationCondition.eager(),
        description="Self-contained HTML report of the marts: CAAR paths with 95% bands per "
        "study, BTC ETF flows around the Bybit hack, the USD/HKD band, monthly hack losses and "
        "the findings table (REPORT_FILE, default reports/warehouse_report.html).",
    )
    def warehouse_report(warehouse: WarehouseSettings) -> dg.MaterializeResult:
        from report.build import build_report

        settings = warehouse.settings
        path = build_report(settings.serving_db, settings.report_file)
        return dg.MaterializeResult(
            metadata={
                "report": dg.MetadataValue.path(str(path)),
                "url": dg.MetadataValue.url("file://" + str(path)),
            }
        )

    return [warehouse_report]

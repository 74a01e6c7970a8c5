"""Self-contained HTML report of the warehouse marts (`make report`, `python -m report`)."""

from report.build import CHART_CLASS, build_report, default_report_file

__all__ = ["CHART_CLASS", "build_report", "default_report_file"]

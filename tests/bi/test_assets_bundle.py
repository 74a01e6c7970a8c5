"""The committed Superset bundle (bi/assets) against the real warehouse, without Superset.

Runs in the main venv: the bundle is YAML, the marts are DuckDB. Catches a renamed mart column,
a chart pointing at a missing dataset, or a CAAR definition drifting from the HTML report's.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

from bi.assets_bundle import (
    DASHBOARD_FILE,
    DATABASE_FILE,
    bundle_files,
    bundle_passwords,
    render_bundle,
)
from bi.settings import PASSWORD_MASK, SettingsError, load_endpoint
from endpoint.settings import load_endpoint_settings
from report.build import _caar_frame

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def bundle() -> dict[str, dict]:
    return {path: yaml.safe_load(text) for path, text in bundle_files().items()}


def _of_kind(bundle: dict[str, dict], folder: str) -> dict[str, dict]:
    return {config["uuid"]: config for path, config in bundle.items() if path.startswith(folder)}


def test_bi_reads_the_endpoint_settings_as_the_endpoint_does(tmp_path: Path) -> None:
    env = {
        "SERVING_DB": str(tmp_path / "served" / "warehouse.duckdb"),
        "SERVE_PORT": "6543",
        "SERVE_USER": "bi reader",
    }
    ours, theirs = load_endpoint(env), load_endpoint_settings(env)
    assert (ours.host, ours.port, ours.user) == (theirs.host, theirs.port, theirs.user)
    assert ours.password_file == theirs.password_file  # the generated password is found
    with_file = env | {"SERVE_PASSWORD_FILE": str(tmp_path / "pw")}
    assert load_endpoint(with_file).password_file == load_endpoint_settings(with_file).password_file

    rendered = yaml.safe_load(render_bundle(ours)[DATABASE_FILE])
    assert rendered["sqlalchemy_uri"] == (
        f"postgresql+psycopg2://bi%20reader:{PASSWORD_MASK}@127.0.0.1:6543/warehouse"
    )
    assert bundle_passwords("s3cret") == {DATABASE_FILE: "s3cret"}
    assert "s3cret" not in "".join(render_bundle(ours).values())

    # The endpoint may take any free port (0); Superset needs the one it will connect to.
    assert load_endpoint_settings(env | {"SERVE_PORT": "0"}).port == 0
    with pytest.raises(SettingsError, match="SERVE_PORT=0 .* cannot be used with make bi"):
        load_endpoint(env | {"SERVE_PORT": "0"})


def test_dashboard_holds_the_four_charts_and_their_datasets(bundle: dict[str, dict]) -> None:
    charts = _of_kind(bundle, "charts/")
    datasets = _of_kind(bundle, "datasets/")
    databases = _of_kind(bundle, "databases/")
    dashboard = bundle[DASHBOARD_FILE]
    placed = {
        item["meta"]["uuid"]: item["meta"]["sliceName"]
        for item in dashboard["position"].values()
        if isinstance(item, dict) and item.get("type") == "CHART"
    }
    assert dashboard["dashboard_title"] == "Event-study warehouse"
    assert placed == {uuid: chart["slice_name"] for uuid, chart in charts.items()}
    assert len(placed) == 4
    assert {chart["dataset_uuid"] for chart in charts.values()} == set(datasets)
    assert {dataset["database_uuid"] for dataset in datasets.values()} == set(databases)


def _columns(con: duckdb.DuckDBPyConnection, dataset: dict) -> set[str]:
    """The columns the dataset's query yields on the real warehouse."""
    source = (
        f"({dataset['sql']})"
        if dataset.get("sql")
        else f"{dataset['schema']}.{dataset['table_name']}"
    )
    return {row[0] for row in con.execute(f"describe select * from {source} as t").fetchall()}


def test_every_dataset_column_and_chart_field_exists_in_the_marts(
    bundle: dict[str, dict], built_warehouse: Path
) -> None:
    datasets = _of_kind(bundle, "datasets/")
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        for dataset in datasets.values():
            real = _columns(con, dataset)
            declared = {column["column_name"] for column in dataset["columns"]}
            assert declared <= real, f"{dataset['table_name']}: not in the mart: {declared - real}"
    for chart in _of_kind(bundle, "charts/").values():
        dataset = datasets[chart["dataset_uuid"]]
        columns = {column["column_name"] for column in dataset["columns"]}
        metrics = {metric["metric_name"] for metric in dataset.get("metrics") or []}
        params = chart["params"]
        used = {f["subject"] for f in params.get("adhoc_filters", [])}
        used |= {params[key] for key in ("x_axis",) if params.get(key)}
        used |= set(params.get("all_columns", []))
        assert used <= columns, f"{chart['slice_name']}: unknown columns {used - columns}"
        assert set(params.get("metrics", [])) <= metrics, chart["slice_name"]


def test_caar_dataset_matches_the_html_report(
    bundle: dict[str, dict], built_warehouse: Path
) -> None:
    """The dashboard's CAAR band is report/build.py's: same CAAR and 1.96 SE on every day."""
    dataset = next(d for d in _of_kind(bundle, "datasets/").values() if d.get("sql"))
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        ours = con.execute(dataset["sql"]).df()
        report = _caar_frame(con)
    merged = ours.merge(report, on=["study_id", "relative_day"], suffixes=("", "_report"))
    assert len(merged) == len(report) == len(ours)
    assert {"hacks_crypto", "deepseek_us_ai_stocks"} <= set(merged["study_id"])
    pd.testing.assert_series_equal(merged["caar"], merged["caar_report"], check_names=False)
    half_width = 1.959963984540054 * merged["se_caar"]
    pd.testing.assert_series_equal(
        merged["caar_upper_95"], merged["caar"] + half_width, check_names=False
    )
    pd.testing.assert_series_equal(
        merged["caar_lower_95"], merged["caar"] - half_width, check_names=False
    )
    # hacks_crypto spans days -1..5 with 16 pairs each (2 events x 8 assets)
    hacks = merged[merged["study_id"] == "hacks_crypto"].sort_values("relative_day")
    assert hacks["relative_day"].tolist() == list(range(-1, 6))
    assert hacks["n_pairs"].tolist() == [16] * 7

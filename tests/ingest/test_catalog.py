"""The catalog: every dataset of the landing folder declared, clear errors on bad entries."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.catalog import load_catalog
from ingest.config import REPO_ROOT
from ingest.errors import CatalogError

CATALOG = REPO_ROOT / "catalog" / "series.yml"


def test_every_landing_file_is_declared(landing_dir: Path) -> None:
    catalog = load_catalog(CATALOG)
    declared = {spec.path for entry in catalog.entries for spec in entry.landing}
    on_disk = {
        str(p.relative_to(landing_dir))
        for p in landing_dir.rglob("*")
        if p.is_file() and p.suffix != ".md"
    }
    assert on_disk - declared == set()
    assert declared - on_disk == set()


def test_shipped_catalog_facts() -> None:
    catalog = load_catalog(CATALOG)
    assert len(catalog.entries) == 56
    assert {"XNYS", "XHKG", "24/7", "24/5", "CMES"} == set(catalog.calendars())
    nvda = catalog.get("nvda")
    assert nvda.benchmark == "spx" and nvda.calendar == "XNYS"
    assert [s.primary for s in nvda.landing] == [True, False]
    dxy = catalog.get("dxy")
    assert [s.primary for s in dxy.landing] == [True, True]  # two stitched parts
    hacks = [e.id for e in catalog.entries if e.asset_class == "hack"]
    assert len(hacks) == 5
    assert catalog.get("btc_etf_flows").landing[0].options["product"] == "BTC"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "series.yml"
    path.write_text(text)
    return path


def test_generic_entry_from_the_readme(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
- id: my_index
  asset_class: index
  calendar: XNYS
  landing: {path: mine/my_index.csv, format: csv, date_column: date, value_column: close}
- id: my_stock
  asset_class: equity
  calendar: XNYS
  benchmark: my_index
  landing: {path: mine/my_stock.csv, format: csv, date_column: date, value_column: close, delimiter: ';', decimal: ','}
""",
    )
    catalog = load_catalog(path)
    stock = catalog.get("my_stock")
    assert stock.benchmark == "my_index"
    assert stock.landing[0].options == {
        "date_column": "date",
        "value_column": "close",
        "delimiter": ";",
        "decimal": ",",
    }
    assert stock.source_id(stock.landing[0]) == "my_stock:my_stock"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "- id: x\n  asset_class: stock\n  calendar: XNYS\n  landing: {path: a.csv, format: csv}\n",
            "asset_class",
        ),
        (
            "- id: x\n  asset_class: equity\n  calendar: NOPE\n  landing: {path: a.csv, format: yahoo_csv}\n",
            "unknown calendar 'NOPE'",
        ),
        (
            "- id: x\n  asset_class: equity\n  calendar: XNYS\n  landing: {path: a.csv, format: excel}\n",
            "unknown format 'excel'",
        ),
        (
            "- id: x\n  asset_class: equity\n  calendar: XNYS\n  landing: {path: a.csv, format: csv}\n",
            "needs 'date_column'",
        ),
        (
            "- id: x\n  asset_class: equity\n  calendar: XNYS\n  benchmrk: spx\n  landing: {path: a.csv, format: yahoo_csv}\n",
            "unknown key(s) ['benchmrk']",
        ),
        (
            "- id: X-1\n  asset_class: equity\n  calendar: XNYS\n  landing: {path: a.csv, format: yahoo_csv}\n",
            "'id' must be",
        ),
        (
            "- {id: a, asset_class: hack, landing: {path: a.json, format: blocksec_json}}\n"
            "- {id: a, asset_class: hack, landing: {path: b.json, format: blocksec_json}}\n",
            "duplicate id(s) ['a']",
        ),
        ("- id: [unclosed\n", "invalid YAML"),
    ],
)
def test_invalid_catalogs_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(CatalogError) as excinfo:
        load_catalog(_write(tmp_path, text))
    assert message in str(excinfo.value)
    assert str(tmp_path / "series.yml") in str(excinfo.value)


def test_benchmark_outside_a_subset_catalog_is_dropped(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "- {id: nvda, asset_class: equity, calendar: XNYS, benchmark: spx, "
        "landing: {path: equities/yf_NVDA.csv, format: yahoo_csv}}\n",
    )
    assert load_catalog(path).get("nvda").benchmark is None


def test_an_error_in_a_long_catalog_names_its_line_and_place(tmp_path: Path) -> None:
    """The README's own entry appended to the shipped catalog with a typo in its landing format:
    the message names the line of that landing item and the entry counted from 1 (57th)."""
    shipped = CATALOG.read_text()
    appended = (
        "- id: acme\n  name: ACME Corp\n  asset_class: equity\n  calendar: XNYS\n"
        "  benchmark: spx\n"
        "  landing: {path: mine/acme.csv, format: cvs, date_column: date, value_column: close}\n"
    )
    text = shipped + ("" if shipped.endswith("\n") else "\n") + appended
    landing_line = text.splitlines().index(appended.splitlines()[-1]) + 1
    with pytest.raises(CatalogError) as excinfo:
        load_catalog(_write(tmp_path, text))
    assert (
        f"series.yml, line {landing_line}: entry 57 (acme), landing 1: unknown format 'cvs'"
        in str(excinfo.value)
    )

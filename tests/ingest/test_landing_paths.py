"""Issue 8.5: landing paths are confined to LANDING_DIR; messages never carry file content."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from ingest.catalog import load_catalog
from ingest.config import Settings
from ingest.errors import CatalogError
from ingest.pipeline import failure_message, ingest_entry
from tests.ingest.workspace import catalog_of, make_workspace, query, scalar, write_catalog

IBIT_FILE = "equities/adjclose_IBIT.csv"
IBIT_FIRST_CLOSE = "26.6299991607666"  # the 2024-01-11 close: file content, never in a message


def _entry(path: str, series_id: str = "ibit") -> str:
    return f"""
- id: {series_id}
  asset_class: etf
  calendar: XNYS
  landing: {{path: '{path}', format: yahoo_csv, last_row_intraday: true}}
"""


@pytest.fixture
def settings(tmp_path: Path, landing_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    return make_workspace(tmp_path, landing_dir, monkeypatch, [IBIT_FILE], _entry(IBIT_FILE))


def _archived_files(settings: Settings) -> list[Path]:
    return sorted(p for p in settings.archive_dir.rglob("*") if p.is_file())


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("../../../etc/passwd", "contains '..'"),
        ("equities/../../outside.csv", "contains '..'"),
        ("..\\..\\outside.csv", "contains '..'"),
        ("/etc/passwd", "is absolute"),
        ("C:\\data\\ibit.csv", "is absolute"),
    ],
)
def test_catalog_refuses_paths_that_leave_the_landing_folder(
    settings: Settings, path: str, why: str
) -> None:
    write_catalog(settings.series_file.parent, _entry(IBIT_FILE) + _entry(path, "leak"))
    with pytest.raises(CatalogError) as raised:
        load_catalog(settings.series_file)
    message = str(raised.value)
    # the line an editor shows for the second entry's landing, its place counted from 1
    assert "series.yml, line 10: entry 2 (leak), landing 1: " in message and why in message


def _symlink_out(settings: Settings, landing_dir: Path) -> Path:
    """landing/equities/ibit_link.csv -> a copy of the real IBIT file outside the landing."""
    outside = settings.landing_dir.parent / "outside" / "adjclose_IBIT.csv"
    outside.parent.mkdir()
    shutil.copy(landing_dir / IBIT_FILE, outside)
    link = settings.landing_dir / "equities" / "ibit_link.csv"
    link.symlink_to(outside)
    return link


def test_catalog_refuses_a_symlink_leading_out(settings: Settings, landing_dir: Path) -> None:
    _symlink_out(settings, landing_dir)
    write_catalog(settings.series_file.parent, _entry("equities/ibit_link.csv"))
    with pytest.raises(
        CatalogError, match=r"series.yml, line 5: entry 1 \(ibit\), landing 1: .*through a symlink"
    ):
        load_catalog(settings.series_file, settings.landing_dir)


def test_a_symlink_leading_out_is_refused_again_at_read_time(
    settings: Settings, landing_dir: Path
) -> None:
    """A catalog checked without the folder (or a link made after the check) is not read."""
    _symlink_out(settings, landing_dir)
    write_catalog(settings.series_file.parent, _entry("equities/ibit_link.csv"))
    entry = load_catalog(settings.series_file).get("ibit")

    report = ingest_entry(settings, entry)

    assert "leads outside LANDING_DIR through a symlink" in report.failed[0].message
    assert _archived_files(settings) == []  # nothing read, nothing archived
    assert scalar(settings, "select count(*) from raw.payloads") == 0
    (status, message), *_ = query(settings, "select status, message from raw.loads")
    assert status == "failed" and IBIT_FIRST_CLOSE not in message


def test_a_dot_dot_path_that_bypassed_the_catalog_is_refused_at_read_time(
    settings: Settings,
) -> None:
    entry = catalog_of(settings).get("ibit")
    escaped = dataclasses.replace(entry.landing[0], path=f"../landing/{IBIT_FILE}")
    report = ingest_entry(settings, dataclasses.replace(entry, landing=(escaped,)))
    assert "contains '..'" in report.failed[0].message
    assert _archived_files(settings) == []


def test_a_symlink_inside_the_landing_folder_is_fine(settings: Settings) -> None:
    (settings.landing_dir / "equities" / "ibit_alias.csv").symlink_to("adjclose_IBIT.csv")
    write_catalog(settings.series_file.parent, _entry("equities/ibit_alias.csv"))
    report = ingest_entry(settings, catalog_of(settings).get("ibit"))
    assert not report.failed and report.rows_loaded == 640


def test_a_missing_column_message_quotes_a_short_header_never_rows(settings: Settings) -> None:
    path = settings.landing_dir / IBIT_FILE
    rows = path.read_text().splitlines(keepends=True)[1:]
    long_header = "When," + ",".join(f"secret_column_{i}" for i in range(40)) + "\n"
    path.write_text(long_header + "".join(rows))

    report = ingest_entry(settings, catalog_of(settings).get("ibit"))

    message = report.failed[0].message
    quoted = message.split("header is ", 1)[1].split(")", 1)[0]
    assert quoted.startswith("'When,secret_column_0,") and quoted.endswith("...'")
    assert len(quoted) <= 82  # 80 characters and the quotes
    assert IBIT_FIRST_CLOSE not in message and "secret_column_39" not in message
    stored = scalar(settings, "select message from raw.loads")
    assert stored == message


def test_a_headerless_export_quotes_only_its_first_line(settings: Settings) -> None:
    """No header: the first data line is what the message shows, cut to 80 characters."""
    path = settings.landing_dir / IBIT_FILE
    path.write_text("".join(path.read_text().splitlines(keepends=True)[1:]))
    report = ingest_entry(settings, catalog_of(settings).get("ibit"))
    message = report.failed[0].message
    assert "missing column 'Date' (header is '2024-01-11,26.6299991607666')" in message
    assert "24.969999313354492" not in message  # the second line's close


def test_an_unexpected_error_keeps_only_a_snippet_of_its_text(landing_dir: Path) -> None:
    """A bug's exception text may quote a payload: raw.loads keeps 80 characters of it."""
    content = (landing_dir / IBIT_FILE).read_text()
    message = failure_message(ValueError(f"could not convert string to float: {content!r}"))
    assert message.startswith("ValueError: could not convert string to float: 'Date,Close")
    assert len(message) <= len("ValueError: ") + 80
    assert "24.969999313354492" not in message  # the second close of the file

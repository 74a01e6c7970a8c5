"""The five hack-source parsers, on the real landing files (read in place) and malformed copies.

Every number asserted here was checked against the file itself, not taken from SOURCES.md.
"""

from __future__ import annotations

import dataclasses
import json

import pandas as pd
import pytest

from ingest.errors import FileFormatError
from ingest.loader import validate_rows
from ingest.parsers import FORMATS
from ingest.parsers.base import ParseContext, ParseResult

FILES = {
    "defillama_hacks_json": "hacks/defillama_hacks.json",
    "slowmist_csv": "hacks/slowmist_hacked_all_records.csv",
    "defi_rekt_csv": "hacks/defi_rekt_database_all_records.csv",
    "blocksec_json": "hacks/blocksec_incidents_all.json",
    "rekt_news_html": "hacks/rekt_news_leaderboard.html",
}


def parse(fmt: str, payload: bytes, origin: str | None = None) -> ParseResult:
    ctx = ParseContext(origin=origin or FILES[fmt], series_id=f"hacks_{fmt}")
    return FORMATS[fmt].parser(payload, ctx)


@pytest.fixture(scope="module")
def parsed(read_landing) -> dict[str, ParseResult]:
    return {fmt: parse(fmt, read_landing(path)) for fmt, path in FILES.items()}


def one(frame: pd.DataFrame, **match: object) -> pd.Series:
    """The single row matching every column=value given."""
    mask = pd.Series(True, index=frame.index)
    for column, value in match.items():
        mask &= frame[column] == value
    rows = frame[mask]
    assert len(rows) == 1, f"{match}: {len(rows)} rows"
    return rows.iloc[0]


# --- contract shared by all five ---------------------------------------------------------


@pytest.mark.parametrize("fmt", list(FILES))
def test_frame_has_exactly_the_dataset_columns(parsed, fmt):
    result = parsed[fmt]
    dataset = FORMATS[fmt].target
    assert list(result.frame.columns) == [*dataset.column_names, "source_line"]
    assert result.rejects == []
    assert result.frame["source_line"].dtype == "int64"
    assert result.frame["source_line"].is_unique
    for column in dataset.columns:
        series = result.frame[column.name]
        if column.type in ("DATE", "TIMESTAMP"):
            assert series.dtype == "datetime64[ns]", column.name  # tz-naive
        if column.type == "DATE":
            assert (series.dropna() == series.dropna().dt.normalize()).all(), column.name
        if column.type == "DOUBLE":
            assert series.dtype == "float64", column.name
        if column.type == "VARCHAR[]":
            for value in series.dropna():
                assert isinstance(value, list), column.name
                assert all(isinstance(item, str) for item in value), column.name


# --- DeFiLlama ----------------------------------------------------------------------------


def test_defillama_real_file(parsed):
    frame = parsed["defillama_hacks_json"].frame
    assert len(frame) == 538
    assert frame["source_line"].tolist() == list(range(1, 539))  # record index
    assert frame["incident_date"].min() == pd.Timestamp("2016-06-17")
    assert frame["incident_date"].max() == pd.Timestamp("2026-05-28")

    bybit = one(frame, name="Bybit")
    assert bybit["incident_date"] == pd.Timestamp("2025-02-21")  # date 1740096000
    assert bybit["amount_usd"] == 1.4e9
    assert bybit["classification"] == "Protocol Logic"
    assert bybit["technique"] == "Safe Multisig wallet Phishing Exploit"
    assert bybit["target_type"] == "CEX"
    assert bybit["returned_usd"] == 1.4e9  # DeFiLlama's own figure, kept as published
    assert bybit["chains"] == ["Ethereum"]
    assert bybit["defillama_id"] == "2286"
    assert bybit["bridge_hack"] == False  # noqa: E712 (numpy/pandas bool)
    assert bybit["source_line"] == 355

    infini = one(frame, name="Infini")
    assert infini["incident_date"] == pd.Timestamp("2025-02-24")
    assert infini["amount_usd"] == 49.5e6

    assert frame["amount_usd"].isna().sum() == 9  # kept, not rejected
    assert pd.isna(one(frame, name="Ratio Finance")["amount_usd"])
    # "Peapods Finance\n\n" and "BtcTurk\n" are trimmed
    assert "Peapods Finance" in set(frame["name"])
    assert (frame["name"] == frame["name"].str.strip()).all()
    assert (frame["name"] == "BtcTurk").sum() == 2  # 2024-06-22 and 2025-08-14 incidents

    assert frame["parent_protocol_id"].notna().sum() == 110
    venus = one(frame, name="Venus Core Pool", incident_date=pd.Timestamp("2026-03-15"))
    assert venus["parent_protocol_id"] == "parent#venus-finance"
    assert frame["chains"].isna().sum() == 5  # chain: null stays null ...
    assert (frame["chains"].str.len() == 0).sum() == 10  # ... and [] stays []
    assert frame["source_url"].isna().all()  # source is "" on every record
    # Not deduplicated: Mirror and Merlin each have two records on the same day.
    assert frame.groupby(["name", "incident_date"]).size().max() == 2
    assert (frame["name"] == "Mirror").sum() == 2


def test_defillama_truncated_json_names_origin_and_position(read_landing):
    payload = read_landing(FILES["defillama_hacks_json"])
    cut = payload[: len(payload) // 2]
    with pytest.raises(FileFormatError) as info:
        parse("defillama_hacks_json", cut, origin="https://api.llama.fi/hacks")
    err = info.value
    assert err.origin == "https://api.llama.fi/hacks"
    assert err.line == 1  # single-line array
    message = str(err)
    assert message.startswith("https://api.llama.fi/hacks, line 1:")
    assert "column" in message
    # the column given is where the JSON breaks, within the truncated text
    column = int(message.split("column ")[1].split()[0])
    assert 0 < column <= len(cut)


def test_defillama_not_json_and_wrong_shape(read_landing):
    with pytest.raises(FileFormatError, match="line 1"):
        parse("defillama_hacks_json", b"<html>502 Bad Gateway</html>")
    with pytest.raises(FileFormatError, match="JSON array"):
        parse("defillama_hacks_json", b'{"error": "rate limited"}')


def test_defillama_missing_key_is_a_file_error(read_landing):
    payload = read_landing(FILES["defillama_hacks_json"]).replace(b'"amount":', b'"amountUsd":', 1)
    with pytest.raises(FileFormatError) as info:
        parse("defillama_hacks_json", payload)
    assert info.value.column == "amount"
    assert "record 1" in str(info.value)


def test_defillama_bad_value_rejects_only_that_record(read_landing):
    records = json.loads(read_landing(FILES["defillama_hacks_json"]))
    bybit_index = next(i for i, r in enumerate(records) if r["name"] == "Bybit")
    records[bybit_index]["amount"] = "lots"
    result = parse("defillama_hacks_json", json.dumps(records).encode())
    assert len(result.frame) == 537
    assert len(result.rejects) == 1
    reject = result.rejects[0]
    assert (reject.line, reject.column, reject.raw_value) == (bybit_index + 1, "amount", '"lots"')
    assert "Bybit" not in set(result.frame["name"])
    assert one(result.frame, name="Infini")["amount_usd"] == 49.5e6


# --- SlowMist -----------------------------------------------------------------------------


def test_slowmist_real_file(parsed):
    frame = parsed["slowmist_csv"].frame
    assert len(frame) == 2100
    assert frame["source_line"].min() == 2 and frame["source_line"].max() == 2101
    assert frame["incident_date"].min() == pd.Timestamp("2012-01-06")
    assert frame["incident_date"].max() == pd.Timestamp("2026-05-19")

    bybit = one(frame, name="Bybit")
    assert bybit["incident_date"] == pd.Timestamp("2025-02-21")
    assert bybit["loss_usd_reported"] == 1.46e9
    assert bybit["attack_method"] == "Supply Chain Attack"
    assert bybit["source_line"] == 262
    infini = one(frame, name="Infini")
    assert (infini["incident_date"], infini["loss_usd_reported"]) == (
        pd.Timestamp("2025-02-24"),
        50e6,
    )

    # 0.0 is SlowMist's "no figure": kept as published (staging reads it as unknown).
    assert (frame["loss_usd_reported"] == 0.0).sum() == 875
    assert frame["loss_usd_reported"].notna().all()
    assert "loss_usd" not in frame.columns

    # HTML entities decoded (the file has 541 &#39;, 526 &quot;, 22 &amp;, 4 &gt;)
    for entity in ("&#39;", "&quot;", "&amp;", "&gt;"):
        assert not frame["description"].str.contains(entity, regex=False).any(), entity
        assert not frame["name"].str.contains(entity, regex=False).any(), entity
    assert "Evolve Bank & Trust" in set(frame["name"])
    assert "JPEG'd" in set(frame["name"])
    # Not deduplicated: two reports of the same Paras incident, on lines 923 and 924.
    paras = frame[(frame["name"] == "Paras") & (frame["incident_date"] == "2023-09-03")]
    assert paras["source_line"].tolist() == [923, 924]


def test_slowmist_two_reports_of_one_incident_are_one_staging_row(parsed):
    """FarmEOS 2019-01-15 is reported twice (lines 1981 and 1982, other reference and
    description): the loader's key keeps both, the declared staging_key makes them one."""
    dataset = FORMATS["slowmist_csv"].target
    frame = parsed["slowmist_csv"].frame
    kept, _ = validate_rows(frame, dataset, "hack")
    farmeos = kept[(kept["name"] == "FarmEOS") & (kept["incident_date"] == "2019-01-15")]
    assert farmeos["source_line"].tolist() == [1981, 1982]
    assert farmeos["reference_url"].nunique() == 2
    assert len(farmeos.drop_duplicates(list(dataset.staging_key))) == 1
    # The only such pair in the file: elsewhere the staging key is as unique as the row key.
    assert kept.duplicated(list(dataset.staging_key)).sum() == 1
    # As the loader's key, the staging key would reject both reports (their descriptions
    # differ, a conflict) and lose the incident: the two keys are two rules.
    narrow = dataclasses.replace(dataset, key=dataset.staging_key, staging_key=())
    kept_narrow, _ = validate_rows(frame, narrow, "hack")
    assert "FarmEOS" not in set(
        kept_narrow.loc[kept_narrow["incident_date"] == "2019-01-15", "name"]
    )


def test_slowmist_multiline_records_keep_their_starting_line(read_landing):
    lines = read_landing(FILES["slowmist_csv"]).split(b"\n")
    header, rows = lines[0], lines[1:5]
    # Break the first row's quoted description over three lines, as SlowMist's CSV may.
    first = rows[0].replace(b"Echo Protocol\xe2\x80\x99s eBTC", b"Echo Protocol\n\neBTC", 1)
    assert first.count(b"\n") == 2
    payload = b"\n".join([header, first, *rows[1:]]) + b"\n"
    result = parse("slowmist_csv", payload)
    assert result.rejects == []
    assert result.frame["source_line"].tolist() == [2, 5, 6, 7]
    assert result.frame["name"].tolist()[:2] == ["Echo Protocol", "Verus-Ethereum Bridge"]
    assert "\n\neBTC" in result.frame["description"].iloc[0]


def test_slowmist_renamed_required_column(read_landing):
    payload = read_landing(FILES["slowmist_csv"]).replace(b",loss_usd,", b",loss,", 1)
    with pytest.raises(FileFormatError) as info:
        parse("slowmist_csv", payload)
    assert info.value.column == "loss_usd"
    assert info.value.line == 1
    assert "loss_usd" in str(info.value) and FILES["slowmist_csv"] in str(info.value)


def test_slowmist_one_garbage_amount_is_one_reject(read_landing):
    payload = read_landing(FILES["slowmist_csv"])
    bad = payload.replace(b",1460000000.0,Supply Chain Attack,", b",lots,Supply Chain Attack,", 1)
    assert bad != payload
    result = parse("slowmist_csv", bad)
    assert len(result.rejects) == 1
    reject = result.rejects[0]
    assert (reject.line, reject.column, reject.raw_value) == (262, "loss_usd", "lots")
    assert len(result.frame) == 2099
    assert "Bybit" not in set(result.frame["name"])
    assert one(result.frame, name="Infini")["source_line"] == 261


def test_slowmist_bad_date_is_a_reject(read_landing):
    payload = read_landing(FILES["slowmist_csv"]).replace(
        b"\n2025-02-21,Bybit,", b"\n21/02/2025,Bybit,"
    )
    result = parse("slowmist_csv", payload)
    assert [(r.line, r.column, r.raw_value) for r in result.rejects] == [
        (262, "date", "21/02/2025")
    ]
    assert len(result.frame) == 2099


# --- De.Fi REKT ---------------------------------------------------------------------------


def test_defi_rekt_real_file(parsed):
    frame = parsed["defi_rekt_csv"].frame
    assert len(frame) == 4023  # scams and honeypots kept
    assert frame["incident_date"].isna().sum() == 925  # blank date -> null, not a reject
    assert frame["rekt_id"].is_unique
    assert frame["incident_date"].min() == pd.Timestamp("2011-06-13")
    assert frame["incident_date"].max() == pd.Timestamp("2026-05-18")
    assert (frame["scam_parent"] == "Exit Scam/Honeypot").sum() == 1893

    bybit = one(frame, rekt_id="4032")
    assert bybit["name"] == "Bybit"
    assert bybit["incident_date"] == pd.Timestamp("2025-02-21")
    assert bybit["category"] == "CeFi"
    assert pd.isna(bybit["chain"])  # blank for CeFi
    assert bybit["funds_lost_usd"] == 1.4e9
    assert bybit["funds_returned_usd"] == 4.3e7
    assert bybit["funds_recovered_usd"] == 0.0
    assert bybit["scam_parent"] == "Exploit/Access control"
    assert bybit["source_line"] == 3843
    assert one(frame, rekt_id="4033")["funds_lost_usd"] == 5.0e7  # Infini


def test_defi_rekt_renamed_required_column(read_landing):
    payload = read_landing(FILES["defi_rekt_csv"]).replace(b",funds_lost,", b",lost,", 1)
    with pytest.raises(FileFormatError) as info:
        parse("defi_rekt_csv", payload)
    assert info.value.column == "funds_lost"
    assert "funds_lost" in str(info.value)


def test_defi_rekt_one_garbage_amount_is_one_reject(read_landing):
    payload = read_landing(FILES["defi_rekt_csv"])
    bad = payload.replace(
        b"\n4032,2025-02-21,Bybit,CeFi,,1400000000.0,", b"\n4032,2025-02-21,Bybit,CeFi,,1.4 bn,"
    )
    assert bad != payload
    result = parse("defi_rekt_csv", bad)
    assert len(result.rejects) == 1
    reject = result.rejects[0]
    assert (reject.line, reject.column, reject.raw_value) == (3843, "funds_lost", "1.4 bn")
    assert len(result.frame) == 4022
    assert "4032" not in set(result.frame["rekt_id"])
    assert one(result.frame, rekt_id="4033")["source_line"] == 3844


# --- BlockSec -----------------------------------------------------------------------------

BYBIT_FIRST_TX = "0x46deef0f52e3a983b67abf4714448a41dd7ffd6d32d32da69d62081c68ad7882"


def test_blocksec_real_file(parsed):
    frame = parsed["blocksec_json"].frame
    assert len(frame) == 285
    assert frame["incident_id"].is_unique
    assert frame["incident_time_utc"].min() == pd.Timestamp("2023-01-03 00:21:14")
    assert frame["incident_time_utc"].max() == pd.Timestamp("2026-05-23 21:56:00")

    bybit = one(frame, project="Bybit")
    assert bybit["incident_id"] == "225"
    assert bybit["loss_usd"] == 1.5e9
    assert bybit["rescued_usd"] == 0.0
    assert bybit["chain_ids"] == ["1"]
    assert bybit["root_cause"] == "Compromised Private Key"
    # min txnHashDate is 1740147215000 ms
    assert bybit["first_tx_time_utc"] == pd.Timestamp("2025-02-21 14:13:35")
    assert bybit["first_tx_time_utc"] == pd.Timestamp(1740147215000, unit="ms")
    assert bybit["incident_time_utc"] == pd.Timestamp("2025-02-21 14:13:35")
    assert len(bybit["tx_hashes"]) == 6
    assert bybit["tx_hashes"][0] == BYBIT_FIRST_TX
    # second is the 14:15:11 tx, then four at 14:16:11 ordered by hash
    assert bybit["tx_hashes"][1].startswith("0x25800d10")
    assert bybit["tx_hashes"][2:] == sorted(bybit["tx_hashes"][2:])

    # three incidents have no transactions; EchoProtocol's only tx has txnHashDate 0 (no time)
    assert (frame["tx_hashes"].str.len() == 0).sum() == 3
    assert frame["first_tx_time_utc"].isna().sum() == 4
    assert pd.isna(one(frame, project="EchoProtocol")["first_tx_time_utc"])
    assert (frame["first_tx_time_utc"].dropna() >= pd.Timestamp("2023-01-01")).all()


def test_blocksec_truncated_json_points_at_the_line(read_landing):
    payload = read_landing(FILES["blocksec_json"])
    cut_at = payload.index(BYBIT_FIRST_TX.encode()) + 20  # in the middle of the hash string
    cut = payload[:cut_at]
    with pytest.raises(FileFormatError) as info:
        parse("blocksec_json", cut)
    err = info.value
    line = cut.count(b"\n") + 1
    assert err.line == line
    opening_quote = cut.rindex(b'"') - (cut.rindex(b"\n") + 1) + 1  # 1-based column
    assert f"line {line} column {opening_quote}" in str(err)
    assert str(err).startswith(f"{FILES['blocksec_json']}, line {line}:")


def test_blocksec_string_loss_garbage_is_a_reject(read_landing):
    document = json.loads(read_landing(FILES["blocksec_json"]))
    index = next(i for i, r in enumerate(document["list"]) if r["project"] == "Bybit")
    document["list"][index]["loss"] = "1.5B"
    result = parse("blocksec_json", json.dumps(document).encode())
    assert [(r.line, r.column) for r in result.rejects] == [(index + 1, "loss")]
    assert len(result.frame) == 284


def test_blocksec_wrong_shape_and_partial_page(read_landing):
    document = json.loads(read_landing(FILES["blocksec_json"]))
    with pytest.raises(FileFormatError, match="list"):
        parse("blocksec_json", json.dumps(document["list"]).encode())
    document["count"] = 300
    with pytest.raises(FileFormatError, match="count says 300"):
        parse("blocksec_json", json.dumps(document).encode())


# --- rekt.news ----------------------------------------------------------------------------


def test_rekt_news_real_file(parsed):
    frame = parsed["rekt_news_html"].frame
    assert len(frame) == 297
    assert frame["slug"].is_unique
    assert frame["incident_date"].min() == pd.Timestamp("2020-09-28")
    assert frame["incident_date"].max() == pd.Timestamp("2026-05-25")

    bybit = one(frame, slug="bybit-rekt")
    assert bybit["title"] == "ByBit - Rekt"
    assert bybit["amount_usd"] == 1_436_173_027
    assert bybit["incident_date"] == pd.Timestamp("2025-02-21")
    assert bybit["published_date"] == pd.Timestamp("2025-02-22")
    assert bybit["audit"] == "N/A"
    assert bybit["tags"] == ["ByBit", "Rekt", "Lazarus"]
    assert bybit["source_line"] == 2

    # #1 is LuBian at rekt's 2025 valuation, not the 2020 one
    top = one(frame, source_line=1)
    assert (top["slug"], top["amount_usd"]) == ("the-one-that-got-away", 14_847_374_246)
    # the one entry with two-digit years (11/12/22, published 11/18/22)
    sbf = one(frame, slug="sbf-mask-off")
    assert sbf["incident_date"] == pd.Timestamp("2022-11-12")
    assert sbf["published_date"] == pd.Timestamp("2022-11-18")


def test_rekt_news_truncated_page_points_into_the_script(read_landing):
    payload = read_landing(FILES["rekt_news_html"])
    cut = payload[: payload.index(b'"slug":"bybit-rekt"') + 12]
    with pytest.raises(FileFormatError) as info:
        parse("rekt_news_html", cut)
    err = info.value
    assert err.line == 14  # the whole __NEXT_DATA__ script sits on line 14 of the page
    message = str(err)
    column = int(message.split("column ")[1].split()[0])
    # The column (in characters: the page is UTF-8, not ASCII) is the opening quote of the
    # cut-off string, counted in the page's own coordinates, not the script's.
    assert cut.decode().split("\n")[13][column - 1 :] == '"bybi'


def test_rekt_news_without_next_data_script(read_landing):
    payload = read_landing(FILES["rekt_news_html"]).replace(b'id="__NEXT_DATA__"', b'id="x"')
    with pytest.raises(FileFormatError, match="__NEXT_DATA__"):
        parse("rekt_news_html", payload)


def test_rekt_news_bad_date_is_a_reject(read_landing):
    payload = read_landing(FILES["rekt_news_html"])
    bad = payload.replace(b'"date":"2/21/2025"', b'"date":"Feb 21st"', 1)
    assert bad != payload
    result = parse("rekt_news_html", bad)
    assert [(r.line, r.column, r.raw_value) for r in result.rejects] == [
        (2, "rekt.date", '"Feb 21st"')
    ]
    assert len(result.frame) == 296

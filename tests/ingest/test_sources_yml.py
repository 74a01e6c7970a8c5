"""The dbt source file for schema raw is generated from ingest/datasets.py and must not drift."""

from __future__ import annotations

import dataclasses

import pytest
import yaml

from ingest.datasets import DATASETS, RAW_TABLES, create_table_sql
from ingest.sources_yml import SOURCES_YML, render


def _sources() -> dict[str, dict]:
    parsed = yaml.safe_load(SOURCES_YML.read_text())
    (source,) = parsed["sources"]
    return {table["name"]: table for table in source["tables"]}


def test_committed_sources_yml_is_the_generated_one():
    assert SOURCES_YML.read_text() == render(), (
        "dbt_project/models/staging/_sources.yml differs from ingest/datasets.py: "
        "run `uv run --frozen python -m ingest.sources_yml`"
    )


def test_every_raw_table_column_and_description_agrees():
    tables = _sources()
    assert list(tables) == list(RAW_TABLES)
    for name, declared in RAW_TABLES.items():
        table = tables[name]
        assert table["description"] == declared.description, name
        columns = [(c["name"], c["data_type"], c["description"]) for c in table["columns"]]
        assert columns == [(c.name, c.type, c.description) for c in declared.all_columns], name


def test_row_keys_reach_dbt():
    tables = _sources()
    for name, dataset in DATASETS.items():
        meta = tables[name]["config"]["meta"]
        assert meta["row_key"] == list(dataset.key), name
        assert meta.get("staging_key", []) == list(dataset.staging_key), name
    # SlowMist: the loader keeps reports with other references apart, staging one per incident.
    slowmist = DATASETS["hacks_slowmist"]
    assert slowmist.key == (*slowmist.staging_key, "reference_url")
    assert [n for n, d in DATASETS.items() if d.staging_key] == ["hacks_slowmist"]


def test_staging_takes_its_keys_from_the_declaration():
    """Every dataset's staging model deduplicates with latest_source_rows on the declared key
    (meta.staging_key, else meta.row_key), naming no key of its own."""
    for name in DATASETS:
        model = (SOURCES_YML.parent / f"stg_{name}.sql").read_text()
        assert f"latest_source_rows('{name}')" in model, name
        assert "row_number()" not in model, name


def test_a_staging_key_outside_the_key_is_refused():
    slowmist = DATASETS["hacks_slowmist"]
    with pytest.raises(ValueError, match="staging_key"):
        dataclasses.replace(slowmist, staging_key=("incident_date", "description"))
    with pytest.raises(ValueError, match="staging_key"):
        dataclasses.replace(slowmist, staging_key=slowmist.key)


def test_created_tables_match_the_declaration(tmp_path):
    import duckdb

    from ingest.loader import ensure_tables

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_tables(con)
    for name, declared in RAW_TABLES.items():
        if name not in DATASETS and name not in ("payloads", "loads", "rejects"):
            con.execute(create_table_sql(declared, replace=True))
        columns = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'raw' and table_name = ? order by ordinal_position",
            [name],
        ).fetchall()
        expected = [
            (c.name, "TIMESTAMP WITH TIME ZONE" if c.type == "TIMESTAMPTZ" else c.type)
            for c in declared.all_columns
        ]
        assert columns == expected, name


def test_old_warehouse_gains_declared_and_loses_retired_columns(tmp_path):
    import duckdb

    from ingest.loader import ensure_tables

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema raw")
    con.execute("create table raw.loads (source_id varchar)")
    con.execute("create table raw.hacks_slowmist (name varchar, loss_usd double)")
    ensure_tables(con)
    loads = [r[0] for r in con.execute("describe raw.loads").fetchall()]
    assert loads[0] == "source_id" and "recipe_sha256" in loads
    slowmist = [r[0] for r in con.execute("describe raw.hacks_slowmist").fetchall()]
    assert "loss_usd" not in slowmist and "loss_usd_reported" in slowmist


def test_plausibility_rules_name_declared_columns():
    from ingest.plausibility import DATASET_FIELDS

    for table, fields in DATASET_FIELDS.items():
        declared = set(DATASETS[table].column_names)
        named = {fields.date, *fields.numbers, *fields.magnitudes} | {fields.spike, fields.group}
        named.discard(None)
        assert named <= declared, (table, named - declared)

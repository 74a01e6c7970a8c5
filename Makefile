# Front door. Needs only python3 and pip: uv is pip-installed when missing.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV ?= $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
export LANDING_DIR ?= $(abspath $(CURDIR)/../shared/raw)
DEFAULT_WAREHOUSE_DB := $(CURDIR)/warehouse.duckdb
export WAREHOUSE_DB ?= $(DEFAULT_WAREHOUSE_DB)
# Run history belongs to its warehouse: runs against another WAREHOUSE_DB (a copy, a bench) keep
# their own history beside it and never mark the default warehouse's assets failed.
export DAGSTER_HOME ?= $(if $(filter $(DEFAULT_WAREHOUSE_DB),$(abspath $(WAREHOUSE_DB))),$(CURDIR)/.dagster_home,$(abspath $(WAREHOUSE_DB)).dagster_home)
# make run WAREHOUSE_ENGINE=spark: dbt builds on a local Apache Spark session (README, "Growing
# past one machine"); raw tables as Parquet in LAKE_DIR, tables under SPARK_WAREHOUSE_DIR.
export WAREHOUSE_ENGINE ?= duckdb
export LAKE_DIR ?= $(CURDIR)/lake
export SPARK_WAREHOUSE_DIR ?= $(CURDIR)/spark-warehouse
# make run FULL=1: reload every source and rebuild every model, changed or not.
export FULL ?=
# The repo's packages for every Python process make starts, including Dagster's own (webserver,
# daemon, run workers load orchestration.event_log_storage named in orchestration/dagster.yaml).
export PYTHONPATH := $(CURDIR)$(if $(PYTHONPATH),:$(PYTHONPATH))
# dbt keeping its parse across warehouse files of the same name (warehouse_engine/dbt_duckdb.py)
DBT := $(UV) run --frozen python -m warehouse_engine.dbt_duckdb
DBT_DIR := dbt_project

.PHONY: help setup run study ui test lint bench bench-spark dagster-home manifest report docs serve bi

help:
	@echo "make setup  install the locked environment (uv + uv.lock) and build the dbt manifest"
	@echo "make run    materialise every asset into $$WAREHOUSE_DB (offline from $$LANDING_DIR)"
	@echo "            make run WAREHOUSE_ENGINE=spark: the dbt models on a local Spark session"
	@echo "make study  re-run the event studies each time EVENTS_FILE or STUDIES_FILE is saved (needs make run)"
	@echo "            ONCE=1: one refresh, then exit; PUBLISH=0: leave the published copy as it is"
	@echo "make test   run the whole test suite"
	@echo "make ui     Dagster UI on http://127.0.0.1:3000"
	@echo "make report self-contained HTML report of the marts in $${REPORT_FILE:-reports/warehouse_report.html} (needs make run)"
	@echo "make serve  read-only Postgres-wire SQL endpoint over the published copy on 127.0.0.1:$${SERVE_PORT:-5433}"
	@echo "make bi     Apache Superset on http://127.0.0.1:$${BI_PORT:-8088} with the warehouse dashboard (needs make run)"
	@echo "make docs   dbt docs site, offline, in $${DOCS_DIR:-reports/dbt-docs}/static_index.html (needs make run)"
	@echo "make lint   ruff check + format check, sqlfluff lint of the dbt models (.sqlfluff)"
	@echo "make bench  make run timings, endpoint latency, event-study marts at scale; reports in bench/results/"
	@echo "make bench-spark  the event-study chain on Spark local[2] against DuckDB (several minutes; needs make run)"

setup:
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv>=0.5"
	# --compile-bytecode: write every .pyc now. Where PYTHONDONTWRITEBYTECODE is set, Python
	# would otherwise compile ~4,000 modules again in every process (10 s per Dagster or dbt start).
	$(UV) sync --frozen --compile-bytecode
	# Apache Superset (make bi) in its own environment, bi/.venv: its pins conflict with ours.
	# BI=0 leaves it out (about 1 GB); make bi installs it on first use (uv run syncs it).
	@if [ "$(BI)" != "0" ]; then $(UV) sync --frozen --compile-bytecode --project bi; fi
	# DuckDB 1.0.0, the oldest reader the published copy promises to serve, in reader_compat/.venv
	# (20 MB): tests/publishing/test_old_readers.py opens the copy with it.
	$(UV) sync --frozen --compile-bytecode --project reader_compat
	$(MAKE) manifest
	@echo "setup done: next 'make run'"

# dbt parse writes target/manifest.json without opening the warehouse (compile would lock it),
# only when a file (or folder: a file added or removed) of the dbt project is newer than it.
MANIFEST := $(DBT_DIR)/target/manifest.json
DBT_INPUTS := $(shell find $(DBT_DIR)/models $(DBT_DIR)/macros $(DBT_DIR)/seeds $(DBT_DIR)/tests \
	$(DBT_DIR)/dbt_project.yml $(DBT_DIR)/profiles.yml 2>/dev/null)
manifest: $(MANIFEST)
$(MANIFEST): $(DBT_INPUTS)
	cd $(DBT_DIR) && $(DBT) parse --profiles-dir . --quiet
	@touch $(MANIFEST)

dagster-home:
	@mkdir -p "$(DAGSTER_HOME)"
	@cp orchestration/dagster.yaml "$(DAGSTER_HOME)/dagster.yaml"

run: dagster-home manifest
	$(UV) run --frozen python -m orchestration

# The analyst's loop: dbt stays loaded in one process, so a refresh costs the SQL (orchestration/study.py).
study: dagster-home manifest
	$(UV) run --frozen python -m orchestration.study $(if $(filter 1,$(ONCE)),--once) $(if $(filter 0,$(PUBLISH)),--no-publish)

ui: dagster-home
	$(UV) run --frozen dagster dev -m orchestration.definitions -h 127.0.0.1 -p 3000

test: manifest
	$(UV) run --frozen pytest

# sqlfluff's dbt templater compiles every model (about a minute) against an in-memory DuckDB:
# no built warehouse needed, and the warehouse file is never opened (a make run may hold it).
SQLFLUFF := WAREHOUSE_DB=:memory: $(UV) run --frozen sqlfluff
lint:
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(SQLFLUFF) lint $(DBT_DIR)/models

# make bench ES_BENCH_SIZES="100 1000": other event counts for the event-study benchmark
# (default 100 1000 10000; 10,000 events take several minutes on two cores).
ES_BENCH_SIZES ?=
bench:
	$(UV) run --frozen python -m bench.pipeline_bench
	$(UV) run --frozen python -m bench.endpoint_bench
	$(UV) run --frozen python -m bench.event_study_bench $(if $(strip $(ES_BENCH_SIZES)),--sizes $(ES_BENCH_SIZES))

# Not in make bench: Spark needs minutes (JVM, the upstream models built first, about a second of
# overhead per model). make bench-spark ES_SPARK_EVENTS=100: another event count.
ES_SPARK_EVENTS ?= 1000
bench-spark:
	$(UV) run --frozen python -m bench.es_spark_bench --events $(ES_SPARK_EVENTS)

serve:
	$(UV) run --frozen python -m endpoint

# Starts the endpoint too when nothing listens on SERVE_PORT yet.
bi:
	$(UV) run --frozen --project bi python -m bi --endpoint-python $(CURDIR)/.venv/bin/python

report:
	$(UV) run --frozen python -m report

docs:
	$(UV) run --frozen python -m publishing.dbt_docs

# Front door. Needs only python3 and pip: uv is pip-installed when missing.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV ?= $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export LANDING_DIR ?= $(abspath $(CURDIR)/../shared/raw)
export WAREHOUSE_DB ?= $(CURDIR)/warehouse.duckdb
# make run FULL=1: reload every source and rebuild every model, changed or not.
export FULL ?=
DBT := $(UV) run --frozen dbt
DBT_DIR := dbt_project

.PHONY: help setup run ui test lint bench dagster-home manifest report docs

help:
	@echo "make setup  install the locked environment (uv + uv.lock) and build the dbt manifest"
	@echo "make run    materialise every asset into $$WAREHOUSE_DB (offline from $$LANDING_DIR)"
	@echo "make test   run the whole test suite"
	@echo "make ui     Dagster UI on http://127.0.0.1:3000"
	@echo "make report self-contained HTML report of the marts in $${REPORT_FILE:-reports/warehouse_report.html} (needs make run)"
	@echo "make docs   dbt docs site, offline, in $${DOCS_DIR:-reports/dbt-docs}/static_index.html (needs make run)"
	@echo "make lint   ruff check + format check"
	@echo "make bench  event-study marts at 100/1000/3000 synthetic events (needs make run); report in bench/results/"

setup:
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv>=0.5"
	$(UV) sync --frozen
	$(MAKE) manifest
	@echo "setup done: next 'make run'"

# dbt parse writes target/manifest.json without opening the warehouse (compile would lock it).
manifest:
	cd $(DBT_DIR) && $(DBT) parse --profiles-dir . --quiet

dagster-home:
	@mkdir -p "$(DAGSTER_HOME)"
	@cp orchestration/dagster.yaml "$(DAGSTER_HOME)/dagster.yaml"

run: dagster-home manifest
	$(UV) run --frozen python -m orchestration.run

ui: dagster-home
	$(UV) run --frozen dagster dev -m orchestration.definitions -h 127.0.0.1 -p 3000

test: manifest
	$(UV) run --frozen pytest

lint:
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .

bench:
	$(UV) run --frozen python -m bench.event_study_bench

report:
	$(UV) run --frozen python -m report

docs:
	$(UV) run --frozen python -m publishing.dbt_docs

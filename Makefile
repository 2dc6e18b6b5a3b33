# Every target sets up what it needs: a fresh clone runs `make demo` or `make test` and nothing else.
#
#   .venv/          the SDK, editable, with the sim and dev extras (the primary interpreter)
#   .tools/codegen/ the pinned generator tools (codegen/requirements.txt), kept apart from the SDK
#   .tools/docs/    the pinned documentation tools (docs/requirements.txt); the site goes to
#                   .tools/site/
#   .venvs/pyX.Y/   the SDK again on each other CPython the package claims (.ci/test-pythons)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOOLS := .tools/codegen
SDK_STAMP := $(VENV)/.installed
TOOLS_STAMP := $(TOOLS)/.installed
DOCS_TOOLS := .tools/docs
DOCS_STAMP := $(DOCS_TOOLS)/.installed
SITE := .tools/site
PIP_FLAGS := --quiet --disable-pip-version-check
LINT_PATHS := $(wildcard agentfm tests bench codegen examples)

.DEFAULT_GOAL := help
.PHONY: help setup tools generate check-generated lint format typecheck test test-live test-pythons test-py310 docs docs-serve demo record bench clean

help:
	@echo "make demo             run the hello world against the embedded simulator"
	@echo "make test             everything CI runs: check-generated, lint, typecheck, docs, pytest,"
	@echo "                      then the suite on every other CPython the package claims"
	@echo "make docs             build the documentation site with warnings as errors (.tools/site)"
	@echo "make docs-serve       serve the documentation site with live reload"
	@echo "make test-pythons     the suite on each claimed CPython besides the primary one"
	@echo "make generate         re-render generated/ from schema/ + codegen/"
	@echo "make check-generated  fail when generated/ differs from a fresh render"
	@echo "make test-py310       the test suite on Python 3.10 alone"
	@echo "make test-live        the live suite against GATEWAY_URL, or agentfm-sim in every release"
	@echo "make record           re-record tests/cassettes from agentfm-sim (or GATEWAY_URL)"
	@echo "make bench            run the benchmarks in bench/"

$(SDK_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install $(PIP_FLAGS) -e '.[dev]'
	@touch $@

$(TOOLS_STAMP): codegen/requirements.txt
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install $(PIP_FLAGS) -r codegen/requirements.txt
	@touch $@

$(DOCS_STAMP): docs/requirements.txt
	$(PYTHON) -m venv $(DOCS_TOOLS)
	$(DOCS_TOOLS)/bin/python -m pip install $(PIP_FLAGS) -r docs/requirements.txt
	@touch $@

setup: $(SDK_STAMP) $(TOOLS_STAMP)

tools: $(TOOLS_STAMP)

generate: $(TOOLS_STAMP)
	$(TOOLS)/bin/python codegen/render.py --write generated

check-generated: $(TOOLS_STAMP)
	$(TOOLS)/bin/python codegen/render.py --check generated

lint: $(TOOLS_STAMP)
	$(TOOLS)/bin/ruff check $(LINT_PATHS)
	$(TOOLS)/bin/ruff format --check $(LINT_PATHS)

format: $(TOOLS_STAMP)
	$(TOOLS)/bin/ruff check --fix $(LINT_PATHS)
	$(TOOLS)/bin/ruff format $(LINT_PATHS)

typecheck: $(SDK_STAMP)
	$(BIN)/mypy

# Each step is one line, so another step (e.g. a live suite) merges in as one more line.
test: setup
	$(MAKE) --no-print-directory check-generated
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory typecheck
	$(MAKE) --no-print-directory docs
	$(BIN)/python -m pytest
	$(MAKE) --no-print-directory test-live
	$(MAKE) --no-print-directory test-pythons

# The live suite (tests/live/): `make test-live GATEWAY_URL=http://127.0.0.1:8080
# [AGENTFM_API_KEY=...] [ARTIFACTS_DIR=...]` checks a running gateway; without GATEWAY_URL it
# starts agentfm-sim once per gateway release (1.1.0, 1.2.0, 1.3.0, current) and checks each.
test-live: $(SDK_STAMP)
	$(BIN)/python tests/live/run.py

# The suite (less the `once` checks of the project itself) on every other CPython the package
# claims; an interpreter this machine lacks is named in the log, not a failure.
test-pythons: tools
	bash .ci/test-pythons

test-py310: tools
	bash .ci/test-pythons 3.10

docs: $(DOCS_STAMP)
	NO_MKDOCS_2_WARNING=1 $(DOCS_TOOLS)/bin/mkdocs build --strict --quiet --site-dir $(SITE)

docs-serve: $(DOCS_STAMP)
	NO_MKDOCS_2_WARNING=1 $(DOCS_TOOLS)/bin/mkdocs serve

demo: $(SDK_STAMP)
	$(BIN)/python -m agentfm.demo

record: $(SDK_STAMP)
	$(BIN)/python tests/record.py

# The published 0.3.0, by package name, in its own environment: the bench runs it side by side.
BENCH030 := .bench/sdk030
BENCH030_STAMP := $(BENCH030)/.installed

$(BENCH030_STAMP):
	$(PYTHON) -m venv $(BENCH030)
	$(BENCH030)/bin/python -m pip install $(PIP_FLAGS) 'agentfm-sdk==0.3.0'
	@touch $@

bench: $(SDK_STAMP) $(BENCH030_STAMP)
	$(BIN)/python -m bench --sdk030-python $(BENCH030)/bin/python $(BENCH_FLAGS)

clean:
	rm -rf $(VENV) .venvs .tools .bench .mypy_cache .ruff_cache .pytest_cache dist

# Every target sets up what it needs: a fresh clone runs `make demo` or `make test` and nothing else.
#
#   .venv/          the SDK, editable, with the sim and dev extras
#   .tools/codegen/ the pinned generator tools (codegen/requirements.txt), kept apart from the SDK

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOOLS := .tools/codegen
SDK_STAMP := $(VENV)/.installed
TOOLS_STAMP := $(TOOLS)/.installed
PIP_FLAGS := --quiet --disable-pip-version-check
LINT_PATHS := $(wildcard agentfm tests bench codegen)

.DEFAULT_GOAL := help
.PHONY: help setup tools generate check-generated lint format typecheck test test-live test-py310 demo record bench clean

help:
	@echo "make demo             run the hello world against the embedded simulator"
	@echo "make test             everything CI runs: check-generated, lint, typecheck, pytest"
	@echo "make generate         re-render generated/ from schema/ + codegen/"
	@echo "make check-generated  fail when generated/ differs from a fresh render"
	@echo "make test-py310       the test suite again on Python 3.10 (needs python3.10 on PATH)"
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

test: setup
	$(MAKE) --no-print-directory check-generated
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory typecheck
	$(BIN)/python -m pytest
	$(MAKE) --no-print-directory test-live

# The live suite (tests/live/): `make test-live GATEWAY_URL=http://127.0.0.1:8080
# [AGENTFM_API_KEY=...] [ARTIFACTS_DIR=...]` checks a running gateway; without GATEWAY_URL it
# starts agentfm-sim once per gateway release (1.1.0, 1.2.0, 1.3.0, current) and checks each.
test-live: $(SDK_STAMP)
	$(BIN)/python tests/live/run.py

# The oldest Python the SDK supports, in its own environment. Not part of `make test`: CI machines
# are not assumed to have python3.10; mypy checks the 3.10 API level there instead.
test-py310: tools
	python3.10 -m venv .venv310
	.venv310/bin/python -m pip install $(PIP_FLAGS) -e '.[dev]'
	.venv310/bin/python -m pytest

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
	rm -rf $(VENV) .tools .bench .mypy_cache .ruff_cache .pytest_cache

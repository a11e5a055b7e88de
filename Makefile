# Two commands on a fresh machine: `make up` and `make test`. Only Python 3.11 is needed.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: up test test-unit test-integration test-api test-e2e lint install seed token bench clean

$(STAMP): requirements/constraints.txt requirements/dev.txt libs/gachi_kit/pyproject.toml \
          services/*/pyproject.toml tools/gachi_cli/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==26.3"
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	touch $(STAMP)

install: $(STAMP)

up: $(STAMP)
	$(BIN)/gachi up

test: $(STAMP)
	$(BIN)/pytest

test-unit: $(STAMP)
	$(BIN)/pytest tests/unit

test-integration: $(STAMP)
	$(BIN)/pytest tests/integration

test-api: $(STAMP)
	$(BIN)/pytest tests/api

test-e2e: $(STAMP)
	$(BIN)/pytest tests/e2e

lint: $(STAMP)
	$(BIN)/ruff check .

seed: $(STAMP)
	$(BIN)/gachi seed

bench: $(STAMP)
	$(BIN)/python bench/order_flow.py

clean:
	rm -rf $(VENV) data

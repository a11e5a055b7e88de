# Two commands on a fresh machine: `make up` and `make test`. Needs Python 3.11 and Node.js 20+
# (npm installs the portal's front-end packages from its lockfile).
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
WEB    := services/web
NODE_STAMP := $(WEB)/node_modules/.installed

.PHONY: up test test-unit test-integration test-api test-e2e test-browser lint install seed token bench clean

$(STAMP): requirements/constraints.txt requirements/dev.txt libs/gachi_kit/pyproject.toml \
          services/*/pyproject.toml tools/gachi_cli/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==26.3"
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	touch $(STAMP)

# The portal's front-end packages (KRDS, Pretendard GOV, htmx, axe-core), exactly as locked.
$(NODE_STAMP): $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

install: $(STAMP) $(NODE_STAMP)

up: $(STAMP) $(NODE_STAMP)
	$(BIN)/gachi up

test: $(STAMP) $(NODE_STAMP)
	$(BIN)/pytest

test-unit: $(STAMP)
	$(BIN)/pytest tests/unit

test-integration: $(STAMP)
	$(BIN)/pytest tests/integration

test-api: $(STAMP)
	$(BIN)/pytest tests/api

test-e2e: $(STAMP)
	$(BIN)/pytest tests/e2e

test-browser: $(STAMP) $(NODE_STAMP)
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(BIN)/pytest tests/browser

lint: $(STAMP)
	$(BIN)/ruff check .

seed: $(STAMP)
	$(BIN)/gachi seed

bench: $(STAMP)
	$(BIN)/python bench/order_flow.py

clean:
	rm -rf $(VENV) data

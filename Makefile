# The two commands a newcomer needs are `make run` and `make test`; both build .venv first.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# `make run` is the demo (chotdon/demo.py): an empty database gets the sample catalog, live
# and livestream, and the console prints a login link. `make run DEMO=0` serves as production.
DEMO ?= 1
# The browser tests drive Debian's chromium (apt-get install chromium); CHOTDON_CHROMIUM
# points them at another build.
CHROMIUM ?= $(or $(CHOTDON_CHROMIUM),$(shell command -v chromium),/usr/bin/chromium)
NO_CHROMIUM = test -x "$(CHROMIUM)" || echo "WARNING: Chromium not found at $(CHROMIUM): the browser \
tests (tests/browser) are SKIPPED. Install Debian's chromium package (apt-get install chromium)."

# `make chaos` hurts real `chotdon serve` processes (chaos/); `make chaos CHAOS=short` is the
# two-minute version CI runs. It mounts a tmpfs for the full disk, so it wants root.
CHAOS ?= long

.PHONY: run test test-unit test-db test-e2e test-browser lint bench chaos clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/chotdon db upgrade
	CHOTDON_DEMO=$(DEMO) CHOTDON_AUTO_MIGRATE=0 $(BIN)/chotdon serve

# `make test` is ruff and then every layer in one pytest run (one process pays the imports and
# the migrated template once). Each layer runs alone too; the rule for what goes where is the
# docstring of its package (tests/unit/__init__.py, tests/database/..., tests/e2e/...).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	@$(NO_CHROMIUM)
	$(BIN)/python -m pytest -q
	@$(NO_CHROMIUM)

# Pure code only: no database, socket or process (tests/unit/conftest.py fails a test that tries).
test-unit: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

# A real SQLite file, and PostgreSQL when CHOTDON_TEST_POSTGRES_URL is set, in this process.
test-db: $(STAMP)
	$(BIN)/python -m pytest -q tests/database

# Real processes (`chotdon serve`, its worker, the CLI) and the local fakes over HTTP.
test-e2e: $(STAMP)
	$(BIN)/python -m pytest -q tests/e2e

test-browser: $(STAMP)
	@$(NO_CHROMIUM)
	$(BIN)/python -m pytest -q tests/browser

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m bench.lifecycle

chaos: $(STAMP)
	$(BIN)/python -m chaos $(if $(filter short,$(CHAOS)),--short) $(CHAOS_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache

# The two commands: `make run` (portal + PostHog sandbox) and `make test` (ruff, mypy, pytest);
# `make stack` runs the production shape (PostgreSQL, Redis, two gunicorns behind HAProxy).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
SANDBOX_PORT ?= 8001
export SANDBOX_PORT

.PHONY: run stack test lint format bench resilience clean

# A Python 3.12+ interpreter: python3 when new enough (pyenv picks 3.13 from .python-version),
# else python3.13 or python3.12.
$(VENV)/.created:
	@for candidate in python3 python3.13 python3.12; do \
	  if command -v $$candidate >/dev/null && $$candidate -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	    echo "Creating $(VENV) with $$($$candidate --version)"; $$candidate -m venv $(VENV) && touch $@ && exit 0; \
	  fi; \
	done; echo "adminui needs Python 3.12 or newer (python3.12 or python3.13 on PATH)." >&2; exit 1

$(VENV)/.runtime: $(VENV)/.created requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

run: $(VENV)/.runtime
	@bash scripts/run.sh

stack: $(VENV)/.runtime
	@bash scripts/stack.sh

test: $(VENV)/.dev
	@bash scripts/ensure-chromium.sh
	@bash scripts/ensure-oidc-provider.sh
	@bash scripts/ensure-stack.sh
	@bash scripts/ensure-axe.sh
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(VENV)/.dev
	$(PY) bench/pages.py
	$(PY) bench/overview.py
	$(PY) bench/key_list.py
	$(PY) bench/keep_alive.py

# About 1,000 requests (RESILIENCE_REQUESTS) of mixed traffic under each PostHog fault kind, from
# eight threads; prints requests, statuses and p50/p95/max times per fault kind.
resilience: $(VENV)/.dev
	TEST_DATABASE_FILE=var/test-resilience.sqlite3 \
	  $(VENV)/bin/pytest -m resilience -s -p no:cacheprovider tests/test_resilience.py

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache test-artifacts tests/oidc/node_modules \
	  tests/js/node_modules

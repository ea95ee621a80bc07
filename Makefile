# The two commands: `make run` (the service, no server needed) and `make test` (the suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PYTEST_ARGS ?=
# pytest-xdist workers: each has its own PostgreSQL database and Redis db (tests/conftest.py).
TEST_WORKERS ?= 2

.PHONY: run test lint format services browser translations install install-dev clean

run: $(VENV)/.runtime translations
	$(BIN)/python -m aduan.devrun

test: $(VENV)/.dev services browser translations lint
	$(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

services:
	scripts/ensure-services.sh

browser:
	scripts/ensure-browser.sh

translations: $(VENV)/.runtime
	BIN=$(BIN) scripts/translations.sh compile

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(VENV)/.runtime $@

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache

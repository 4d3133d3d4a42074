# FusionOps: `make run` serves the portal, `make test` runs the tests. Both set up first.
SHELL := /bin/bash
.DEFAULT_GOAL := run

# What `make run` serves with (and set-up uses). Tests always use their own settings.
RUN_SETTINGS ?= fusionops.settings.development
VENV := .venv
BIN := $(VENV)/bin
MANAGE := DJANGO_SETTINGS_MODULE=$(RUN_SETTINGS) $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
WS_PORT ?= $(shell echo $$(($(PORT) + 1)))
export HOST PORT WS_PORT
# One metrics directory shared by gunicorn's workers (emptied by gunicorn at every start).
METRICS_DIR ?= $(CURDIR)/var/prometheus
# Migrations run as the tables' owner; the portal itself connects as the runtime role.
OWNER_DATABASE_URL ?= postgres://fusionops_owner@127.0.0.1:5432/fusionops

.PHONY: setup browser run test lint format bench clean

# constraints.txt pins what the requirements pull in, so every machine gets the same set.
$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt
	@test -x $(BIN)/python || "$$(deploy/find-python.sh)" -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	@touch $@

# Idempotent: creates the database roles and the database if missing (as a superuser),
# migrates as the owner (which also creates the portal's roles and grants the runtime
# role its rights), collects static files and loads each demo fixture once (as the owner:
# loading fixtures resets sequences, which the runtime role may not).
setup: $(VENV)/.installed
	@$(MANAGE) ensure_database
	@DATABASE_URL=$(OWNER_DATABASE_URL) DATABASE_ROLE=owner $(MANAGE) migrate --noinput
	@$(MANAGE) collectstatic --noinput --verbosity 0
	@DATABASE_URL=$(OWNER_DATABASE_URL) DATABASE_ROLE=owner $(MANAGE) load_demo_data

# The end-to-end tests drive Debian's chromium (Playwright uses it and downloads nothing).
browser:
	@command -v chromium >/dev/null 2>&1 || { echo "Installing chromium"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq chromium chromium-driver >/dev/null; }

run: setup
	@echo "FusionOps on http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	DJANGO_SETTINGS_MODULE=$(RUN_SETTINGS) PROMETHEUS_MULTIPROC_DIR=$(METRICS_DIR) \
		$(BIN)/honcho start --procfile Procfile

test: setup browser
	$(BIN)/pytest --ds=fusionops.settings.test $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python tools/check_imports.py

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: setup
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) staticfiles var

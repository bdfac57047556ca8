# Two commands for a fresh machine: `make run` and `make test`. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export UV_LINK_MODE := copy

UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := python3 -m uv
endif

.PHONY: help run test lint bench deps python-deps assets system-deps seed-la

help:
	@echo "make run    - Pact on http://127.0.0.1:8000 with demo data (embedded SQLite)"
	@echo "make test   - the whole test suite against real PostgreSQL, Redis and Chromium"
	@echo "make lint   - ruff"
	@echo "make bench  - benchmarks on the large-authority dataset (PostgreSQL)"

python-deps:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen --quiet

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

static/build/pact.css: node_modules/.package-lock.json $(wildcard assets/scss/*.scss)
	@mkdir -p static/build
	npm run --silent build

assets: static/build/pact.css

deps: python-deps assets

system-deps:
	bash scripts/system-deps.sh

run: deps
	@mkdir -p var
	$(UV) run python manage.py migrate --noinput -v 0
	$(UV) run python manage.py seed --scale demo
	@echo ""
	@echo "Pact is at http://127.0.0.1:8000 (Ctrl+C to stop). Background jobs run in-process."
	$(UV) run python manage.py runserver 127.0.0.1:8000

# Two workers, given tests in the order pytest-django sets: those in a rolled-back
# transaction first, then those that commit (and flush the data migrations loaded).
PYTEST_ARGS ?= -n 2

test: system-deps deps
	$(UV) run ruff check .
	bash scripts/with-services.sh $(UV) run pytest $(PYTEST_ARGS)

lint: python-deps
	$(UV) run ruff check .

bench: system-deps deps
	bash scripts/with-services.sh bash bench/run.sh

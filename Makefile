# Tejido: `make demo` sets everything up and serves the demo; `make test` runs the whole suite.
SHELL := /bin/bash
export PATH := $(HOME)/.local/bin:$(PATH)
export UV_PYTHON ?= $(shell scripts/find-python)
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
UV ?= uv
RUN := $(UV) run --frozen
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/tejido
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install uv python-deps frontend migrate demo serve lint typecheck migrations-check messages-check test-sqlite test-postgres test-e2e test bench messages clean

install: python-deps frontend

uv:
	@command -v $(UV) >/dev/null 2>&1 || python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv

python-deps: uv
	$(UV) sync --frozen

frontend:
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent build

migrate: python-deps
	$(RUN) tejido migrate --noinput

demo: install migrate
	$(RUN) tejido demo
	$(RUN) tejido serve --host $(HOST) --port $(PORT)

serve: install migrate
	$(RUN) tejido serve --host $(HOST) --port $(PORT)

lint: python-deps
	$(RUN) ruff check .
	$(RUN) ruff format --check .

typecheck: python-deps
	$(RUN) mypy tejido config

migrations-check: python-deps
	$(RUN) tejido makemigrations --check --dry-run

messages-check: python-deps
	$(RUN) python scripts/check_translations.py

test-sqlite: python-deps
	$(RUN) pytest -q -n 2 tejido

test-postgres: python-deps
	DATABASE_URL=$(PG_TEST_URL) $(RUN) pytest -q -n 2 tejido

test-e2e: install
	$(RUN) pytest -q e2e

test: install lint typecheck migrations-check messages-check test-sqlite test-postgres test-e2e

bench: install
	$(RUN) python -m benchmarks.run
	$(RUN) python -m benchmarks.funds_allocation --write
	$(RUN) python -m benchmarks.funds_assignment --write
	$(RUN) python -m benchmarks.learning_search --write
	$(RUN) python -m benchmarks.learning_attendance --write
	$(RUN) python -m benchmarks.cooperation_matching --write

messages: python-deps
	$(RUN) tejido makemessages -l es -l ca -l en --no-obsolete --no-location --ignore=node_modules --ignore=.venv --ignore=staticfiles --ignore=tejido/static/dist
	$(RUN) tejido makemessages -d djangojs -l es -l ca -l en --no-obsolete --no-location --ignore=node_modules --ignore=.venv --ignore=staticfiles --ignore=tejido/static/dist
	$(RUN) tejido compilemessages --ignore=.venv

clean:
	rm -rf var staticfiles tejido/static/dist node_modules .venv

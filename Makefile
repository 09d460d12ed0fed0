# The two commands a newcomer needs (see README): `make demo` and `make test`.
# Every target creates the virtual environment itself, pinned by constraints.txt.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo web-demo report test lint typecheck pytest pytest-postgres migrations-check e2e \
	screenshots bench clean constraints messages compilemessages

# The web tests run a second time on PostgreSQL (pytest-django creates and drops test_vrijuit_test*).
POSTGRES_TEST_URL ?= postgres://postgres@127.0.0.1:5432/vrijuit_test

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# The end-to-end tests and screenshots drive Debian's Chromium through Playwright (never
# `playwright install`, which downloads browsers).
CHROMIUM := /usr/bin/chromium
DEMO_ADDRESS ?= 127.0.0.1:8000

## The product: the web platform with the demo faculty on SQLite (vrijuit.db): migrate, seed
## (idempotent; prints the logins for each role and one respondent link), serve on
## http://127.0.0.1:8000/.
demo: web-demo

web-demo: $(STAMP)
	$(BIN)/python manage.py migrate --noinput --verbosity 0
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver --noreload $(DEMO_ADDRESS)

## The engine's report of the demo data, without the web platform: out/report.{html,json,pdf}.
report: $(STAMP)
	$(BIN)/vrijuit demo --out out

## Run every check CI runs: lint, types, migrations, tests (SQLite; the web tests on PostgreSQL too).
test: lint typecheck migrations-check pytest pytest-postgres e2e

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -n 2 --cov --cov-report=term:skip-covered --ignore=tests/e2e

$(CHROMIUM):
	apt-get update && apt-get install -y chromium

## End-to-end tests in headless Chromium against a live server (SQLite).
e2e: $(STAMP) $(CHROMIUM)
	$(BIN)/pytest -p no:cacheprovider tests/e2e

## Screenshots of the main pages for the README: docs/screenshots/*.png.
screenshots: $(STAMP) $(CHROMIUM)
	VRIJUIT_SCREENSHOTS=docs/screenshots $(BIN)/pytest -p no:cacheprovider tests/e2e/test_pages.py tests/e2e/test_results.py

## The models and the migrations agree (no migration left to write).
migrations-check: $(STAMP)
	$(BIN)/python manage.py makemigrations --check --dry-run

## The web tests again on PostgreSQL; starts the local cluster if it is down.
pytest-postgres: $(STAMP)
	bash .ci/ensure-postgres
	DATABASE_URL=$(POSTGRES_TEST_URL) $(BIN)/pytest -n 2 -p no:cacheprovider tests/web

## Update the Dutch catalog from the msgids in Python and templates (no GNU gettext needed).
messages: $(STAMP)
	$(BIN)/python -m vrijuit.web.catalog update

## Compile locale_django/*/django.po into the committed .mo files (polib, no msgfmt needed).
compilemessages: $(STAMP)
	$(BIN)/python -m vrijuit.web.catalog compile

bench: $(STAMP)
	$(BIN)/python bench/bench_engine.py

## Re-pin constraints.txt after changing dependencies in pyproject.toml.
constraints: $(STAMP)
	$(BIN)/pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache .hypothesis

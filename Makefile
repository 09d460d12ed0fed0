# The two commands a newcomer needs (see README): `make demo` and `make test`.
# Every target creates the virtual environment itself, pinned by constraints.txt.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench clean constraints

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

## Run the product's main job on the bundled demo data: writes out/report.{html,json,pdf}.
demo: $(STAMP)
	$(BIN)/vrijuit demo --out out

## Run every check CI runs: lint, types, tests (engine doctests included).
test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -n 2 --cov --cov-report=term:skip-covered

bench: $(STAMP)
	$(BIN)/python bench/bench_engine.py

## Re-pin constraints.txt after changing dependencies in pyproject.toml.
constraints: $(STAMP)
	$(BIN)/pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache .hypothesis

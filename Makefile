# Every target bootstraps what it needs from the project's own files: a fresh clone needs only
# python3 (>= 3.10) and make. `make test` is what CI runs (.ci/run).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.ready

.PHONY: help test check lint types demo clean

help:
	@echo "make demo   - run the function end to end on the local fake CCC"
	@echo "make test   - run the test suite (what CI runs)"
	@echo "make check  - lint + types + tests"

$(READY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

test: $(READY)
	$(BIN)/python -m pytest

lint: $(READY)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(READY)
	$(BIN)/mypy functions/describe_auto_callout_task src

check: lint types test

demo: $(READY)
	$(BIN)/autocallout demo

clean:
	rm -rf $(VENV) .venv-* dist build .pytest_cache .mypy_cache .ruff_cache .hypothesis

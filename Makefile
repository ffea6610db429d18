# Every target bootstraps what it needs from the project's own files: a fresh clone needs only
# python3 (>= 3.10) and make. `make test` is what CI runs (.ci/run).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.ready
# checkov lives in its own virtualenv: its bc-python-hcl2 installs a module named hcl2 that
# would shadow python-hcl2, which the Terraform schema checker in tests/infra reads with.
CHECKOV_VENV := .venv-checkov
CHECKOV      := $(CHECKOV_VENV)/bin/checkov

.PHONY: help test check lint types demo clean

help:
	@echo "make demo   - run the function end to end on the local fake CCC"
	@echo "make test   - run the test suite (what CI runs)"
	@echo "make check  - lint + types + tests"

$(READY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

$(CHECKOV):
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check checkov==3.3.30

test: $(READY) $(CHECKOV)
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

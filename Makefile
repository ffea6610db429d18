# Every target bootstraps what it needs from the project's own files: a fresh clone needs only
# python3 (>= 3.11, for the test tools; the function runs on 3.10 and 3.12) and make. CPython
# 3.10 and 3.12 themselves are found where they are (PATH, pyenv, uv; see autocallout.runtimes).
# `make test` is what CI runs (.ci/run).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.ready
# checkov lives in its own virtualenv: its bc-python-hcl2 installs a module named hcl2 that
# would shadow python-hcl2, which the Terraform schema checker in tests/infra reads with.
CHECKOV_VENV := .venv-checkov
CHECKOV      := $(CHECKOV_VENV)/bin/checkov

RUNTIME ?= Python3.12

.PHONY: help test check lint types security demo package bench mutation clean

help:
	@echo "make demo   - run the function end to end on the local fake CCC"
	@echo "make test   - run the test suite (what CI runs)"
	@echo "make check  - lint + types + security scan + tests"
	@echo "make package - dist/describe_auto_callout_task-<hash>.zip + .json (RUNTIME=Python3.10)"
	@echo "make bench  - benchmarks against the fake on loopback (bench/results.json)"
	@echo "make mutation - mutation testing of callout_task and the fake (docs/mutation.md)"

$(READY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

$(CHECKOV):
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check checkov==3.3.30

# The whole suite on the dev interpreter, then tests/function on each SCF runtime's CPython.
test: $(READY) $(CHECKOV)
	$(BIN)/python -m pytest
	$(BIN)/python -m autocallout.runtime_tests

lint: $(READY)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(READY)
	$(BIN)/mypy functions/describe_auto_callout_task src

# bandit over everything that runs; each finding left is justified inline (# nosec ... - why).
security: $(READY)
	$(BIN)/bandit -q -r functions src

check: lint types security test

# The zip for Terraform (named by its content; dist/describe_auto_callout_task.json names it,
# infra/package.tf reads that), and the same tree unpacked for serverless.yml (its src).
package: $(READY)
	$(BIN)/python -m autocallout.package --runtime $(RUNTIME) --unpacked build/describe_auto_callout_task

demo: $(READY)
	$(BIN)/autocallout demo

# Not part of make test: timings belong in benchmarks, compared as ratios within one run.
bench: $(READY)
	$(BIN)/python bench/run.py

# Not part of make test either (long; docs/mutation.md says how long): mutmut, pinned in the
# `mutation` extra.
MUTATION_READY := $(VENV)/.mutation-ready
$(MUTATION_READY): pyproject.toml $(READY)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,mutation]'
	touch $@

mutation: $(MUTATION_READY)
	$(BIN)/python mutation/run.py

clean:
	rm -rf $(VENV) .venv-* dist build .pytest_cache .mypy_cache .ruff_cache .hypothesis

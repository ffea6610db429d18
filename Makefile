# Every target bootstraps what it needs from the project's own files: a fresh clone needs only
# python3 (>= 3.11, for the test tools, checked below; the function runs on 3.10 and 3.12) and
# make (and node/npm for the contract's importers and linters, see tests/contract/npm). CPython
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

.PHONY: help test check lint types security demo package bench mutation clean cloud-demo

help:
	@echo "make demo   - run the function end to end on the local fake CCC"
	@echo "make test   - run the test suite (what CI runs)"
	@echo "make check  - lint + types + security scan + tests"
	@echo "make package - dist/describe_auto_callout_task-<hash>.zip + .json (RUNTIME=Python3.10)"
	@echo "make bench  - benchmarks against the fake on loopback (bench/results.json)"
	@echo "make mutation - mutation testing of callout_task and the fake (docs/mutation.md)"
	@echo "make cloud-demo - terraform apply infra/ to the local cloud, call, plan, destroy"

# .venv's interpreter is checked before anything is installed: the dev tools (hypothesis 6.170,
# schemathesis...) need PYTHON_NEEDED or newer. A .venv that an older interpreter made (say a
# first `make demo` with python3 = 3.10, whose pip install failed) is rebuilt, not reused to fail
# the same way on every later run: both rules below run again whenever .venv's python is not one.
PYTHON_NEEDED := 3.11
comma := ,
NEW_ENOUGH := import sys; sys.exit(sys.version_info < ($(subst .,$(comma),$(PYTHON_NEEDED))))
VERSION_OF := import platform; print("Python", platform.python_version())
ifneq ($(wildcard $(VENV)),)
ifneq ($(shell $(BIN)/python -c '$(NEW_ENOUGH)' 2>/dev/null && echo ok),ok)
.PHONY: $(BIN)/python $(READY)
endif
endif

$(BIN)/python:
	@if [ -e $(VENV) ]; then \
	  echo "make: rebuilding $(VENV): it was made by" \
	    "$$($(BIN)/python -c '$(VERSION_OF)' 2>/dev/null || echo 'an interpreter that is gone')," \
	    "and needs Python $(PYTHON_NEEDED) or newer"; \
	  rm -rf $(VENV); \
	fi
	@$(PYTHON) -c '$(NEW_ENOUGH)' 2>/dev/null || { \
	  echo "make: $(VENV) needs Python $(PYTHON_NEEDED) or newer, and PYTHON=$(PYTHON) is" \
	    "$$($(PYTHON) -c '$(VERSION_OF)' 2>/dev/null || echo 'not a Python that runs')." \
	    "Name a newer one: make $(or $(MAKECMDGOALS),demo) PYTHON=python$(PYTHON_NEEDED)" >&2; \
	  exit 1; }
	$(PYTHON) -m venv $(VENV)

$(READY): pyproject.toml | $(BIN)/python
	@echo "make: installing the project and its dev tools into $(VENV) with" \
	  "$$($(BIN)/python -c '$(VERSION_OF)') (pip install -e '.[dev]': about a minute the first time)"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

$(CHECKOV):
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check checkov==3.3.30

# Postman's OpenAPI converter and the OpenAPI linters that tests/contract runs (npm packages,
# pinned with their lock). Without npm those tests skip and say so (fail in CI).
CONTRACT_TOOLS := tests/contract/npm
$(CONTRACT_TOOLS)/node_modules/.ready: $(CONTRACT_TOOLS)/package.json $(CONTRACT_TOOLS)/package-lock.json
	@if command -v npm >/dev/null; then \
	  echo "make: installing the contract's importer and linters into $(CONTRACT_TOOLS)/node_modules (npm ci)"; \
	  npm ci --prefix $(CONTRACT_TOOLS) --no-audit --no-fund --loglevel=error && touch $@; \
	else \
	  echo "make: no npm: tests/contract will skip the Postman import and the OpenAPI linters"; \
	fi

# The whole suite on the dev interpreter, then tests/function on each SCF runtime's CPython.
test: $(READY) $(CHECKOV) $(CONTRACT_TOOLS)/node_modules/.ready
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

# infra/ applied by the real Terraform and tencentcloud provider to the local cloud, then called,
# planned again, rebuilt, destroyed (docs/local-cloud.md). The provider comes from wherever
# Terraform's own configuration says (registry, implicit mirror, TF_CLI_CONFIG_FILE): not set here.
cloud-demo: $(READY)
	$(BIN)/python -m autocallout.local_cloud.rehearsal

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
	rm -rf $(VENV) .venv-* $(CONTRACT_TOOLS)/node_modules dist build .pytest_cache .mypy_cache .ruff_cache .hypothesis

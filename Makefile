# gradstep: two commands do all the setup on a fresh Debian/Ubuntu or macOS machine.
#   make demo   create .venv, install gradstep, install Graphviz if missing, run the demo
#   make test   the same setup plus test tools and a browser, then lint, types and every test
# Re-running either only does what is missing.

VENV    ?= .venv
BIN     := $(VENV)/bin
PY      := $(BIN)/python
PIP     := $(PY) -m pip install --quiet --disable-pip-version-check
PYTEST_WORKERS ?= auto

.PHONY: demo test setup setup-test lint typecheck unit test-exhaustive bench clean help

help:
	@echo "make demo             set up and run the gradstep demo"
	@echo "make test             set up and run lint, type checks and the whole test suite"
	@echo "make test-exhaustive  long property-test runs (not part of make test)"
	@echo "make bench            benchmark against karpathy's micrograd"
	@echo "make clean            remove the virtual environment and generated files"

# -- setup -----------------------------------------------------------------------------

$(PY):
	@.ci/make-venv $(VENV)

# Stamps record what is installed; they are rebuilt when pyproject.toml changes.
$(VENV)/.installed-base: pyproject.toml | $(PY)
	$(PIP) -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PIP) -e '.[test]'
	@touch $@ $(VENV)/.installed-base

$(VENV)/.installed-bench: pyproject.toml | $(PY)
	$(PIP) -e '.[bench]'
	@touch $@

setup: $(VENV)/.installed-base
	@.ci/system-deps dot

setup-test: $(VENV)/.installed-test
	@.ci/system-deps dot
	@.ci/system-deps chromium $(BIN)

# -- the two commands ---------------------------------------------------------------------

demo: setup
	$(BIN)/gradstep demo

test: setup-test lint typecheck unit

lint: setup-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup-test
	$(BIN)/mypy

unit: setup-test
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup -m "not exhaustive"

# -- more -----------------------------------------------------------------------------------

test-exhaustive: setup-test
	HYPOTHESIS_PROFILE=exhaustive $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup -m "exhaustive or not exhaustive"

bench: $(VENV)/.installed-bench
	$(PY) bench/micrograd_demo.py --rounds 21
	$(PY) bench/nn_bench.py --rounds 21
	$(PY) bench/chain.py
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis gradstep-out

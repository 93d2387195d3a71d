# gradstep: two commands do all the setup on a fresh Debian/Ubuntu or macOS machine.
#   make demo   create .venv, install gradstep, install Graphviz if missing, run the demo
#   make test   the same setup plus test tools and a browser, then lint, types and every test
#   make course render every notebook, run, as a static site in build/course/ (no kernel needed)
#   make lab    copy the course into lab/ (git-ignored, never overwritten) and open JupyterLab there
# Re-running any of them only does what is missing.

VENV    ?= .venv
BIN     := $(VENV)/bin
PY      := $(BIN)/python
PIP     := $(PY) -m pip install --quiet --disable-pip-version-check
PYTEST_WORKERS ?= auto
COURSE_OUT ?= build/course
LAB     ?= lab

.PHONY: demo test course lab lab-copy images setup setup-test lint typecheck unit test-exhaustive bench clean help

help:
	@echo "make demo             set up and run the gradstep demo"
	@echo "make test             set up and run lint, type checks and the whole test suite"
	@echo "make course           run every notebook and write the course as a website: build/course/"
	@echo "make lab              copy the course into lab/ (yours, git-ignored) and open JupyterLab"
	@echo "make images           draw the README's pictures in notebooks/images/ again"
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

$(VENV)/.installed-course: pyproject.toml | $(PY)
	$(PIP) -e '.[course]'
	@touch $@ $(VENV)/.installed-notebooks $(VENV)/.installed-base

$(VENV)/.installed-notebooks: pyproject.toml | $(PY)
	$(PIP) -e '.[notebooks]'
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

# -- the course ------------------------------------------------------------------------------

# Runs every notebook (a few minutes) and writes build/course/index.html, one page per
# notebook; the pages need no kernel and no network. .ci/course/build_course.py --help.
course: $(VENV)/.installed-course
	@.ci/system-deps dot
	$(PY) .ci/course/build_course.py --out $(COURSE_OUT)

# The learner's way in: their own copy in lab/, which git ignores, so saving a run
# notebook never dirties the clone and git pull never conflicts.
# (JupyterLab refuses to run as root unless told; root is the usual user in a container.)
lab: $(VENV)/.installed-notebooks lab-copy
	@.ci/system-deps dot
	$(BIN)/jupyter lab $(LAB)$(if $(filter 0,$(shell id -u)), --allow-root)

lab-copy: | $(PY)
	@$(PY) .ci/course/lab_copy.py notebooks $(LAB)

# -- more -----------------------------------------------------------------------------------

# The README's pictures, drawn again from the code (Graphviz, and headless Chromium for the
# player): run it after changing viz, and commit notebooks/images/. .ci/images.py --help.
images: setup-test
	$(PY) .ci/images.py

test-exhaustive: setup-test
	HYPOTHESIS_PROFILE=exhaustive $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup -m "exhaustive or not exhaustive"

bench: $(VENV)/.installed-bench
	$(PY) bench/micrograd_demo.py --rounds 21
	$(PY) bench/nn_bench.py --rounds 21
	$(PY) bench/chain.py
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis gradstep-out $(COURSE_OUT)

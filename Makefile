# The two commands in the README: `make demo` and `make test`. Both set up .venv first if needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.ready

.PHONY: setup sandbox suite-packages demo test release benchmarks student-envs clean

setup: $(READY)

# Pinned libraries from requirements.txt, then this package in editable mode (no network needed for it).
$(READY): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(READY)

# The sandbox autograde runs student code in (bubblewrap): installed if missing and possible, then
# checked to work here. The demo's cohort is synthetic, so it runs without one, behind a loud banner.
sandbox:
	$(PYTHON) -m grading.sandbox_setup

# The other system packages the test suite needs (grading/suite_packages.py: PostgreSQL's server, Chromium
# and chromedriver), installed if missing and possible; `make demo` needs none of them.
suite-packages:
	$(PYTHON) -m grading.suite_packages

demo: setup
	-$(PYTHON) -m grading.sandbox_setup
	$(BIN)/labgrade demo

test: setup sandbox suite-packages
	$(BIN)/pytest -n auto --durations=10

release: setup
	$(BIN)/labgrade release

benchmarks: setup
	$(BIN)/python benchmarks/labs.py

# Fresh environments students could have (built with pip the first time: needs the network).
student-envs: setup
	$(BIN)/python benchmarks/lower_bounds.py
	$(BIN)/python benchmarks/student_install.py

clean:
	rm -rf demo-course .pytest_cache

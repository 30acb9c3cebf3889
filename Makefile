# The two commands in the README: `make demo` and `make test`. Both set up .venv first if needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.ready

.PHONY: setup demo test release benchmarks clean

setup: $(READY)

# Pinned libraries from requirements.txt, then this package in editable mode (no network needed for it).
$(READY): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(READY)

demo: setup
	$(BIN)/labgrade demo

test: setup
	$(BIN)/pytest -n auto

release: setup
	$(BIN)/labgrade release

benchmarks: setup
	$(BIN)/python benchmarks/labs.py

clean:
	rm -rf demo-course .pytest_cache

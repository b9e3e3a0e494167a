# Two commands set everything up: `make demo` and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
WORKSPACE ?= demo-workspace

.PHONY: demo test install install-dev lint bench models clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

install: $(BIN)/python
	$(PIP) install --quiet -e ".[all]"

install-dev: $(BIN)/python
	$(PIP) install --quiet -e ".[all,dev]"

## Build the demo workspace, analyse it, print the report, then serve the dashboard (Ctrl-C stops it).
## `make demo SERVE=` only builds and reports.
SERVE ?= --serve
demo: install
	$(BIN)/escucha demo --workspace $(WORKSPACE) $(SERVE)

## Install the dev tools and run the whole suite (slow tests included).
test: install-dev
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/python -m pytest -n 2 --dist loadgroup

lint: install-dev
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/mypy src

## Benchmarks on ../shared/data (figures in bench/results/*.json).
bench: install
	$(BIN)/python bench/bench_pipeline.py

## Rebuild the shipped models from licence-clean training splits.
models: install
	$(BIN)/python scripts/build_models.py

clean:
	rm -rf $(VENV) $(WORKSPACE) .pytest_cache build dist

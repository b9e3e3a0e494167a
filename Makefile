# Two commands set everything up: `make demo` and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
WORKSPACE ?= demo-workspace

.PHONY: demo test install install-dev install-extras lint bench bench-themes eval eval-finetune models clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

install: $(BIN)/python
	$(PIP) install --quiet -e ".[all]"

install-dev: $(BIN)/python
	$(PIP) install --quiet -e ".[all,dev]"

## Optional stronger back-ends (sentence embeddings, local transformers models): the CPU build of
## torch first (TORCH=torch==2.13.0 matches the wheel this project is tested with), then the extras.
TORCH ?= torch==2.13.0
install-extras: install-dev
	$(PIP) install --quiet "$(TORCH)"
	$(PIP) install --quiet -e ".[all,dev,embeddings,transformers,pdf]"

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

## Accuracy on the shared test splits, every task, with baselines (bench/results/eval.json).
eval: install-extras
	$(BIN)/escucha eval --out bench/results/eval.json

## The fine-tuned MiniLM system (about an hour on 2 cores), merged into bench/results/eval.json.
FINETUNE_TASKS ?= airline_sentiment airline_reason emotion_en emotion_es \
	semeval14_restaurant_category semeval14_restaurant_polarity
eval-finetune: install-extras
	$(BIN)/python bench/eval_models.py --finetune $(addprefix --task ,$(FINETUNE_TASKS))

## BERTopic (MiniLM embeddings) beside escucha's themes, in its own venv (.venv-bench; torch CPU
## wheel first, then bench/requirements-bertopic.txt); offline at run time. Figures in
## bench/results/themes.json. `make bench-themes THEMES_ARGS=--sizes=` skips the scaling part.
BENCH_VENV ?= .venv-bench
THEMES_ARGS ?=
$(BENCH_VENV)/.installed: bench/requirements-bertopic.txt pyproject.toml
	$(PY) -m venv $(BENCH_VENV)
	echo '*' > $(BENCH_VENV)/.gitignore
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -e . torch -c bench/requirements-bertopic.txt
	$(BENCH_VENV)/bin/python -m pip install --quiet -r bench/requirements-bertopic.txt
	touch $@

bench-themes: $(BENCH_VENV)/.installed
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
		$(BENCH_VENV)/bin/python bench/bench_themes.py $(THEMES_ARGS)

## Rebuild the shipped models from licence-clean training splits.
models: install
	$(BIN)/python scripts/build_models.py

clean:
	rm -rf $(VENV) .venv-bench $(WORKSPACE) .pytest_cache build dist

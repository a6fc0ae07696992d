# ceasefire-claims: `make help` lists the targets.
# Every target creates .venv and installs the project (editable) when missing.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
CLI    := $(BIN)/ceasefire-claims
STAMP  := $(VENV)/.installed
MODEL  := models/ceasefire_claims
OUT    := data/processed
RAW    := data/raw
RULES  := $(wildcard rules/*.jsonl rules/*.csv)
CODE   := $(wildcard pipeline/*.py)
RAWIN  := $(shell find $(RAW) -type f 2>/dev/null)
SRC    ?=
WORKERS ?= 1

.DEFAULT_GOAL := help
.PHONY: help venv model extract test lint typecheck evaluate suggest bench report notebook clean

help: ## Show this list of targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP) ## Create .venv and install the project with its dev tools

$(MODEL)/meta.json: $(STAMP) $(RULES) $(CODE)
	$(CLI) rules build --rules rules --model $(MODEL)

model: $(MODEL)/meta.json ## Validate rules/ and build the spaCy pipeline into models/ (only when rules or code changed)

$(OUT)/documents.parquet: $(MODEL)/meta.json $(RAWIN)
	$(CLI) extract $(RAW) --out $(OUT) --model $(MODEL) --workers $(WORKERS)

extract: $(OUT)/documents.parquet ## Extract the tables from data/raw into data/processed (incremental)

test: $(STAMP) ## Run the test suite (offline)
	$(BIN)/pytest -q

lint: $(STAMP) ## Lint with ruff
	$(BIN)/ruff check pipeline tests bench

typecheck: $(STAMP) ## Type-check the package with mypy
	$(BIN)/mypy

evaluate: $(MODEL)/meta.json ## Score the model against data/gold and write models/metrics.json
	$(CLI) rules evaluate --model $(MODEL)

suggest: $(MODEL)/meta.json ## Propose rule candidates from new articles: make suggest SRC=path/to/articles
	@test -n "$(SRC)" || (echo "usage: make suggest SRC=folder-or-corpus" && exit 2)
	$(CLI) rules suggest $(SRC) --model $(MODEL)

bench: $(MODEL)/meta.json ## Throughput and memory benchmark (bench/)
	$(PY) bench/bench.py --model $(MODEL)
	$(PY) bench/bench_dask.py --model $(MODEL)

report: $(OUT)/documents.parquet ## Write the one-page HTML report of data/processed
	$(CLI) report --tables $(OUT) --html reports/report.html

notebook: $(OUT)/documents.parquet ## Execute notebooks/explore.ipynb against data/processed
	$(PY) -m pipeline.notebook notebooks/explore.ipynb

clean: ## Remove the built model and the extracted tables (not .venv)
	rm -rf $(MODEL) $(OUT)

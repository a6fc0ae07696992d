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
# The rule modules that setup.py compiles with mypyc, and their C extensions. An editable
# install puts each .so beside its .py, where it wins the import: a stale one would hide an
# edit, so every target that runs the code depends on `compile`, which rebuilds them.
MYPYC  := $(shell sed -n 's|^ *"\(pipeline/[a-z_]*\)\.py",$$|\1|p' setup.py)
EXT    := $(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
SOS    := $(MYPYC:%=%$(EXT)) pipeline/compiled__mypyc$(EXT)

.DEFAULT_GOAL := help
.PHONY: help venv compile model extract test lint typecheck evaluate suggest bench report notebook clean

help: ## Show this list of targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# Installed pure: `compile` below builds the C extensions once, with the mypy installed here.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	CEASEFIRE_PURE_PYTHON=1 $(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP) ## Create .venv and install the project with its dev tools

ifeq ($(filter-out 0,$(CEASEFIRE_PURE_PYTHON)),)
compile: $(SOS) ## Compile the rule modules with mypyc (when their sources changed)

$(SOS) &: $(MYPYC:%=%.py) setup.py | $(STAMP)
	$(PY) setup.py --quiet build_ext --inplace
	@touch $(SOS)
else
compile: $(STAMP) ## (CEASEFIRE_PURE_PYTHON is set: remove the compiled modules instead)
	rm -f $(SOS)
endif

$(MODEL)/meta.json: $(STAMP) $(RULES) $(CODE) | compile
	$(CLI) rules build --rules rules --model $(MODEL)

model: $(MODEL)/meta.json ## Validate rules/ and build the spaCy pipeline into models/ (only when rules or code changed)

$(OUT)/documents.parquet: $(MODEL)/meta.json $(RAWIN) | compile
	$(CLI) extract $(RAW) --out $(OUT) --model $(MODEL) --workers $(WORKERS)

extract: $(OUT)/documents.parquet ## Extract the tables from data/raw into data/processed (incremental)

test: $(STAMP) compile ## Run the test suite (offline)
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

bench: $(MODEL)/meta.json compile ## Throughput and memory benchmark (bench/)
	$(PY) bench/bench.py --model $(MODEL)
	$(PY) bench/bench_dask.py --model $(MODEL)

report: $(OUT)/documents.parquet ## Write the one-page HTML report of data/processed
	$(CLI) report --tables $(OUT) --html reports/report.html

notebook: $(OUT)/documents.parquet ## Execute notebooks/explore.ipynb against data/processed
	$(PY) -m pipeline.notebook notebooks/explore.ipynb

clean: ## Remove the built model, the extracted tables and the compiled modules (not .venv)
	rm -rf $(MODEL) $(OUT) build pipeline/*$(EXT)

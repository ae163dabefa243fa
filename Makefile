# Sovereign-cloud analysis: `make help` lists the targets.
# Everything runs inside the project environment in .venv/, built from requirements.lock.

PYTHON ?= python3
UV_VERSION := 0.13.9
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
UV := $(BIN)/uv
# (named for the bytecode: environments built before it are synced, and compiled, once more)
STAMP := $(VENV)/.installed-compiled
# Options for the report runner, e.g. `make reports RUN_ARGS="--jobs 1 --only market-europe"`
RUN_ARGS ?=
# Extra pytest options, e.g. `make test PYTEST_ARGS="-x -k returns"`
PYTEST_ARGS ?=
# pytest-xdist workers (auto: one per core; 0: one process). A test file stays on one worker:
# its module fixtures are set up once, and nbval runs a notebook's cells in order in one kernel.
PYTEST_WORKERS ?= auto
XDIST := -n $(PYTEST_WORKERS) --dist loadfile
# Extra JupyterLab options, e.g. `make lab LAB_ARGS="--no-browser --port 8890"`
LAB_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help env reports test test-fast pytest lint format lab notebooks bench check-data lock clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

# The environment is compiled to bytecode once here: every interpreter of a run or a test
# (kernels, workers) then imports its libraries from bytecode, even where
# PYTHONDONTWRITEBYTECODE is set.
$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "error: Python 3.11 or newer is needed to build .venv/ (PYTHON=$(PYTHON) is" \
	  "$$($(PYTHON) --version 2>&1)); run e.g. 'make PYTHON=python3.12 ...'" >&2; exit 2; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }
	@test -x $(UV) || $(PY) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)" \
	  || { rm -rf $(VENV); exit 1; }
	$(UV) pip sync --quiet --compile-bytecode --python $(PY) requirements.lock
	$(UV) pip install --quiet --python $(PY) --no-deps -e .
	@touch $(STAMP)

env: $(STAMP) ## Create or refresh the project environment in .venv/ from requirements.lock

reports: $(STAMP) ## Run every report of reports.yml into reports/ (see RUN_ARGS)
	$(PY) -m analysis run $(RUN_ARGS)

test: $(STAMP) lint pytest ## Lint, then run the whole test suite (unit, data, notebooks with nbval, end-to-end)

pytest: $(STAMP)
	$(PY) -m pytest --nbval-lax --nbval-current-env $(XDIST) --durations=15 $(PYTEST_ARGS)

test-fast: $(STAMP) lint ## Lint, then the tests that start no kernel (unit, data, property): the inner loop
	HYPOTHESIS_PROFILE=dev $(PY) -m pytest -m "not slow" $(XDIST) --durations=15 $(PYTEST_ARGS)

lint: $(STAMP) ## Ruff lint and format check, the import contracts (.importlinter), mypy over analysis/
	$(BIN)/ruff check analysis tests benchmarks notebooks
	$(BIN)/ruff format --check analysis tests benchmarks notebooks
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

format: $(STAMP) ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix analysis tests benchmarks notebooks
	$(BIN)/ruff format analysis tests benchmarks notebooks

lab: $(STAMP) ## Open JupyterLab on notebooks/ with the project environment's kernel (LAB_ARGS=...)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

notebooks: $(STAMP) ## Re-execute the notebooks and keep only their key-number outputs (before a commit)
	$(PY) -m analysis refresh-notebooks

check-data: $(STAMP) ## Validate data/ against its schema (python -m analysis check-data)
	$(PY) -m analysis check-data

bench: $(STAMP) ## Run the benchmarks in benchmarks/ (prints our time, the reference time and the ratio)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

lock: $(STAMP) ## Re-resolve requirements.lock from pyproject.toml after changing dependencies
	$(UV) pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
	  --generate-hashes --quiet --custom-compile-command "make lock" -o requirements.lock

clean: ## Remove the environment and caches (keeps reports/)
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis

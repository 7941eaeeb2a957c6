# Infra Mind audit workbook. Two commands on a fresh machine:
#   make report   set up .venv and run every notebook on its embedded defaults
#   make test     install the dev extras and run the tests (unit, integration, nbval)
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
KERNEL := infra-mind
PARAMS ?= params/default.yaml
OUT ?= reports
# Extra flags for `python -m analysis run`, e.g. REPORT_ARGS="--pdf --junit reports/junit.xml --keep 30"
REPORT_ARGS ?=

.PHONY: setup setup-dev report history test lab bench list clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Infra Mind audit (.venv)" >/dev/null
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(VENV)/.installed
setup-dev: $(VENV)/.installed-dev

## Run every notebook on embedded defaults; findings (exit 1) still make a report, errors (exit 2) fail.
report: setup
	@$(BIN)/python -m analysis run --params $(PARAMS) --out $(OUT) $(REPORT_ARGS); rc=$$?; \
	  if [ $$rc -ge 2 ]; then echo "make report: a notebook raised (exit $$rc); see $(OUT)/latest/index.html" >&2; exit $$rc; fi

## The run history of $(OUT): every run, its status and its notebooks' statuses.
history: setup
	$(BIN)/python -m analysis history --out $(OUT)

## Unit, integration and notebook (nbval) tests.
test: setup-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## JupyterLab on the project's kernel.
lab: setup-dev
	$(BIN)/jupyter lab --notebook-dir=notebooks

## Speed and memory targets, measured as ratios side by side.
bench: setup-dev
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

list: setup
	$(BIN)/python -m analysis list

clean:
	rm -rf $(VENV) .pytest_cache

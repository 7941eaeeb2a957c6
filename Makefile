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
# Extra flags for `python -m analysis run`, e.g. REPORT_ARGS="--pdf --junit reports/junit.xml --keep 30 --jobs 2"
REPORT_ARGS ?=
# pytest workers (pytest-xdist): one per core, at least 2 (most tests wait on kernels and servers)
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ $$n -lt 2 ] && n=2; echo $$n)
# JupyterLab: the project's kernel by default; kernels get CurveZMQ keys from the server, so their loopback
# TCP traffic is encrypted (no "running over TCP without encryption"); as root (a container) --allow-root
LAB_ARGS := --notebook-dir=notebooks --MappingKernelManager.default_kernel_name=$(KERNEL) \
	--KernelManager.transport_encryption=auto $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: setup setup-dev system-deps report history test lab bench list clean

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

## System (Debian) packages the tests need: installed with apt-get as root or with passwordless sudo,
## otherwise one line says how (see scripts/system-deps).
system-deps:
	@$(PYTHON) scripts/system-deps

## Run every notebook on embedded defaults; findings (exit 1) still make a report, errors (exit 2) fail.
report: setup
	@case " $(REPORT_ARGS) " in *" --pdf "*) $(PYTHON) scripts/system-deps chromium ;; esac
	@$(BIN)/python -m analysis run --params $(PARAMS) --out $(OUT) $(REPORT_ARGS); rc=$$?; \
	  if [ $$rc -ge 2 ]; then echo "make report: a notebook raised (exit $$rc); see $(OUT)/latest/index.html" >&2; exit $$rc; fi

## The run history of $(OUT): every run, its status and its notebooks' statuses.
history: setup
	$(BIN)/python -m analysis history --out $(OUT)

## Unit, integration and notebook (nbval) tests, in parallel; the 15 slowest are listed at the end.
test: setup-dev system-deps
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope --durations=15 $(PYTEST_ARGS)

## JupyterLab on the project's kernel.
lab: setup-dev
	$(BIN)/jupyter lab $(LAB_ARGS)

## Speed and memory targets, measured as ratios side by side.
bench: setup-dev
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

list: setup
	$(BIN)/python -m analysis list

clean:
	rm -rf $(VENV) .pytest_cache

# Two commands for a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
DEMO   ?= demo

.PHONY: demo test install install-test bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade "pip>=24" "setuptools>=68,<81" wheel

$(VENV)/.core: pyproject.toml | $(PY)
	$(PIP) install -q -e .
	touch $@

$(VENV)/.test: pyproject.toml | $(PY)
	$(PIP) install -q -e ".[spark,test,browser-tests,forecast]"
	touch $@ $(VENV)/.core

install: $(VENV)/.core
install-test: $(VENV)/.test

## make demo: set up (core only), build a demo workspace from the simulator, print a summary, write an HTML overview
demo: $(VENV)/.core
	$(VENV)/bin/kpgrowth demo $(DEMO) --force

## make test: set up with every extra, run the whole suite (slow, Spark and browser tests included)
test: $(VENV)/.test
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.test
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .hypothesis

# The project's vocabulary: run, test, bench, lint. Everything lives in .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8731
STAMP := $(VENV)/.installed

.PHONY: run test test-python test-js lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

tests/js/node_modules: tests/js/package.json
	cd tests/js && npm install --no-audit --no-fund --loglevel=error
	touch tests/js/node_modules

run: $(STAMP)
	CONTEXTCARDS_PORT=$(PORT) $(BIN)/contextcards serve

test: $(STAMP) tests/js/node_modules
	$(BIN)/python -m pytest -q
	cd tests/js && node --test
	cd tests/js && npx web-ext lint --source-dir ../../extension --self-hosted

lint: $(STAMP) tests/js/node_modules
	cd tests/js && npx web-ext lint --source-dir ../../extension --self-hosted

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) tests/js/node_modules

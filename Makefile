# Two commands on a fresh machine:  `make run` (Sodsong, embedded)  and  `make test` (the test suite).
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench clean image node

# Runtime only: what `make run` and the container image install.
$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip<26"
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# The test tools on top (pytest, playwright, schemathesis, the deploy validators, kubectl with kustomize).
$(VENV)/.test-installed: $(VENV)/.installed requirements-test.lock
	$(BIN)/python -m pip install --quiet -r requirements.lock -r requirements-test.lock
	touch $@

run: $(VENV)/.installed
	$(BIN)/sodsong run

# axe-core for the browser tests' accessibility checks, from the npm registry, pinned by tests/package-lock.json.
tests/node_modules/.installed: tests/package.json tests/package-lock.json
	npm ci --prefix tests --ignore-scripts --no-audit --no-fund
	touch $@

node: tests/node_modules/.installed

test: $(VENV)/.test-installed tests/node_modules/.installed
	$(BIN)/python -m pytest

lint: $(VENV)/.test-installed
	$(BIN)/python -m pytest -q -p no:randomly tests/unit/test_lint.py

bench: $(VENV)/.test-installed
	$(BIN)/python bench/e2e_latency.py

image:
	docker build -t sodsong:latest .

clean:
	rm -rf $(VENV) sodsong-data tests/node_modules

# Two commands do all set-up: `make run` (the bot) and `make test` (the tests).
PYTHON ?= python3
VENV   ?= .venv
HOST   ?= 0.0.0.0
PORT   ?= 3000
BIN    := $(VENV)/bin

.PHONY: run socket test bench

# The virtualenv is rebuilt whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/furikaeri run --http --host $(HOST) --port $(PORT)

socket: $(VENV)/.installed
	$(BIN)/furikaeri run --socket

test: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The benchmark (minutes; results go to bench/RESULTS.md): see bench/README.md.
bench: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m bench.run

# Two commands do all set-up: `make run` (the bot) and `make test` (the tests).
PYTHON ?= python3
VENV   ?= .venv
HOST   ?= 0.0.0.0
PORT   ?= 3000
BIN    := $(VENV)/bin

.PHONY: run socket test bench messages

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
	$(BIN)/mypy
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The benchmark (minutes; results go to bench/RESULTS.md): see bench/README.md.
bench: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m bench.run

# The message catalogues (README, "Locale"): collect every message of the code and the templates
# into bot/locales/messages.pot, then merge it into each language's messages.po to translate.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -o bot/locales/messages.pot --no-location \
		--project furikaeri --copyright-holder furikaeri --msgid-bugs-address "" .
	$(BIN)/pybabel update -i bot/locales/messages.pot -d bot/locales --ignore-obsolete

# The two commands a newcomer needs: `make run` and `make test` (see README).
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run install test browser lint bench

$(BIN)/quotebot: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[test,llm,bench,ray]'
	touch $@

install: $(BIN)/quotebot

# Install, index the example articles into ./.quotebot, answer one question, then serve the
# chat UI and API at http://$(HOST):$(PORT)/ until Ctrl-C.
run: install
	$(BIN)/quotebot ingest examples/
	$(BIN)/quotebot ask "Who said North Korean troops would be fair game?"
	$(BIN)/quotebot serve --host $(HOST) --port $(PORT)

# Debian's Chromium for the UI browser test (browsers cannot be downloaded by Playwright here).
browser:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

# ruff, and the layers contracts in pyproject.toml (imports only point down the path).
lint: install
	$(BIN)/ruff check bot store ui tests bench
	$(BIN)/lint-imports

# The seed golden set must stay fully correct; pytest runs last so its summary closes the output.
test: install browser lint
	store=$$(mktemp -d) && $(BIN)/quotebot ingest --store $$store examples/ && \
	  $(BIN)/quotebot eval tests/golden/seeds.jsonl --store $$store --fail-under 1.0
	$(BIN)/pytest

bench: install
	$(BIN)/python bench/extraction.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/whosaid.py
	$(BIN)/python bench/serve.py
	$(BIN)/python bench/html_extraction.py

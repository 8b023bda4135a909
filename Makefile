# gcmalign: `make demo` sets everything up and runs the main job on the bundled samples;
# `make test` installs the test extras and runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SAMPLES := samples/coastal-dialogue-report-en.txt samples/dialogue-cotier-rapport-fr.txt

.PHONY: demo test lint format eval bench clean help

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $(VENV)/.installed $@

demo: $(VENV)/.installed ## Install and analyse the bundled sample reports
	$(BIN)/gcmalign analyze $(SAMPLES)

test: $(VENV)/.installed-test ## Install test extras, lint, run the whole test suite
	$(BIN)/ruff check src tests benchmarks scripts
	@# pytest exits 5 when it collected nothing: say so instead of passing silently.
	@$(BIN)/python -m pytest -q; s=$$?; \
	  if [ $$s -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; exit $$s

lint: $(VENV)/.installed-test ## Lint and check formatting
	$(BIN)/ruff check src tests benchmarks scripts

format: $(VENV)/.installed-test ## Format the code
	$(BIN)/ruff format src tests benchmarks scripts
	$(BIN)/ruff check --fix src tests benchmarks scripts

bench: $(VENV)/.installed-test ## Run the benchmarks
	$(BIN)/python benchmarks/bench_classify.py

clean: ## Remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache .ruff_cache

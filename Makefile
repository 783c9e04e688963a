# Anlaufstelle: the two commands are `make demo` and `make test`; `make help` lists the rest.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# uv installed by `pip install --user` lands in ~/.local/bin, which is not always on PATH.
export PATH := $(HOME)/.local/bin:$(PATH)
# Never download a Python or anything else uv could fetch: the machine's Python is used.
export UV_PYTHON_DOWNLOADS := never

UV_RUN := uv run --frozen
MANAGE := $(UV_RUN) python manage.py
# PostgreSQL for `make test-postgres`: trust auth on localhost in development and CI.
# pytest-django creates and drops test_anlaufstelle (with _gw0, _gw1 under xdist).
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/anlaufstelle
# Two cores on the reference machine; `auto` uses what the machine has.
PYTEST_WORKERS ?= auto

.PHONY: help demo test test-sqlite test-postgres test-browser check-migrations lint bench \
	messages sync ensure-uv db serve npm services-postgres services-redis clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) \
		| awk 'BEGIN {FS = ":.*## "}; {printf "  make %-18s %s\n", $$1, $$2}'

ensure-uv:
	@scripts/ensure-uv.sh

sync: ensure-uv ## Install the locked dependencies into .venv
	uv sync --frozen

# ---------------------------------------------------------------- demo

demo: sync db ## Set up the demo (SQLite under var/) and serve it on http://127.0.0.1:8000
	@scripts/demo-serve.sh

db: ## Create or upgrade the database and load the demo content (idempotent)
	mkdir -p "$${ANLAUFSTELLE_VAR_DIR:-var}"
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput --verbosity 0
	@# The index is rebuilt in one go below, so the import need not queue a task per row.
	SEARCH_AUTO_INDEX=false $(MANAGE) load_demo --verbosity 0
	SEARCH_AUTO_INDEX=false $(MANAGE) load_booking_demo
	SEARCH_AUTO_INDEX=false $(MANAGE) load_cases_demo
	SEARCH_AUTO_INDEX=false $(MANAGE) load_events_demo
	SEARCH_AUTO_INDEX=false $(MANAGE) load_mediathek_demo
	SEARCH_AUTO_INDEX=false $(MANAGE) load_community_demo
	$(MANAGE) load_chat_demo
	@# Tolerate a tree without the search app (rebuild_index is the search app's command).
	@if $(MANAGE) help rebuild_index >/dev/null 2>&1; then $(MANAGE) rebuild_index; fi

serve: ## Serve an existing database (no setup) with the task worker
	@scripts/demo-serve.sh

# ---------------------------------------------------------------- tests

test: sync check-migrations ## Run every suite: SQLite, PostgreSQL, browser (as CI does)
	@rm -rf test-results
	@status=0; \
	$(MAKE) --no-print-directory test-sqlite || status=1; \
	$(MAKE) --no-print-directory test-postgres || status=1; \
	$(MAKE) --no-print-directory test-browser || status=1; \
	$(UV_RUN) python scripts/test_summary.py test-results/*.xml; \
	if [ "$$status" -ne 0 ]; then echo "make test: FAILED (see the suites above)"; fi; \
	exit $$status

check-migrations: ## System checks; fail when a model change has no migration
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

test-sqlite: ## Unit and integration tests on SQLite
	scripts/run-suite.sh sqlite -m "not browser" -n $(PYTEST_WORKERS) -q

test-postgres: services-postgres ## Unit and integration tests on PostgreSQL
	DATABASE_URL=$(POSTGRES_URL) scripts/run-suite.sh postgres -m "not browser and not sqlite_demo" \
		-n $(PYTEST_WORKERS) -q

test-browser: npm ## Browser tests (Playwright + Debian chromium, axe-core) on SQLite
	@scripts/ensure-services.sh chromium
	scripts/run-suite.sh browser -m browser -q tests/e2e

services-postgres:
	@scripts/ensure-services.sh postgres

services-redis:
	@scripts/ensure-services.sh redis

# axe-core comes from the npm registry (package.json); absent until the browser tests add it.
npm:
	@if [ -f package.json ]; then \
		if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --silent; \
		else npm install --no-audit --no-fund --silent; fi; \
	fi

# ---------------------------------------------------------------- production on loopback

.PHONY: prod-up prod-down prod-check prod-status prod-test

# One environment file: var/prod/prod.env (made from deploy/prod.env.example; PROD_ENV=...).
prod-up: sync ## Production on loopback: nginx (TLS :8443), app servers, workers, daily jobs
	@scripts/ensure-services.sh postgres redis
	@scripts/prod.sh up

prod-down: ## Stop everything prod-up started
	@scripts/prod.sh down

prod-check: sync ## Check the production configuration (check --deploy, database, Redis, mail)
	@scripts/prod.sh check

prod-status: ## Which parts of the loopback deployment run
	@scripts/prod.sh status

prod-test: sync ## The deployment test (kill, restart, two app servers; own database)
	@scripts/ensure-services.sh postgres redis
	@scripts/prod-test.sh

# ---------------------------------------------------------------- quality

lint: ensure-uv ## ruff check, ruff format --check, mypy (all three run; fails if any fails)
	@status=0; \
	echo "ruff check"; $(UV_RUN) ruff check || status=1; \
	echo "ruff format --check"; $(UV_RUN) ruff format --check || status=1; \
	echo "mypy"; $(UV_RUN) mypy || status=1; \
	exit $$status

bench: sync ## Run the benchmarks (scripts that print figures; not part of make test)
	@found=0; \
	for script in benchmarks/*.py; do \
		[ -f "$$script" ] || continue; found=1; \
		echo "=== $$script"; $(UV_RUN) python "$$script"; \
	done; \
	if [ "$$found" -eq 0 ]; then echo "no benchmarks yet (benchmarks/*.py)"; fi

messages: ensure-uv ## Extract German strings into locale/de and compile them
	@command -v msgfmt >/dev/null || { apt-get update -qq && apt-get install -y -qq gettext; }
	cd src/anlaufstelle && $(UV_RUN) python ../../manage.py makemessages --locale de \
		--no-obsolete --add-location file --ignore 'static/*' --ignore 'migrations/*'
	cd src/anlaufstelle && $(UV_RUN) python ../../manage.py compilemessages --locale de \
		--ignore 'static/*'

clean: ## Remove caches and test results (keeps var/ and .venv)
	rm -rf test-results .mypy_cache .ruff_cache
	find src tests -name __pycache__ -type d -prune -exec rm -rf {} +

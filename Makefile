# Community CMS — `make help` lists the targets.
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# More options for pip when it installs the dependencies (CI: --no-compile).
PIP_OPTIONS ?=

.DEFAULT_GOAL := help
.PHONY: help run test test-fast e2e lint format messages messages-check check-deploy audit-deps bench-history bench-duty bench-votes bench-registers bench bench-growth faults clean

help: ## List the targets
	@grep -E '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-18s %s\n", $$1, $$2}'

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip setuptools==80.9.0

# Reinstall only when the dependencies change.
$(VENV)/.installed: pyproject.toml | $(VENV)/bin/activate
	$(PY) -m pip install --quiet $(PIP_OPTIONS) -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/activate
	$(PY) -m pip install --quiet $(PIP_OPTIONS) -e ".[test]"
	@touch $(VENV)/.installed $@

run: $(VENV)/.installed ## Set up (venv, database, demo content) and serve at http://127.0.0.1:$(PORT)/
	$(MANAGE) migrate --noinput
	$(MANAGE) upgrade_audit
	$(MANAGE) seed_demo
	$(MANAGE) runserver 127.0.0.1:$(PORT)

test: $(VENV)/.installed-test ## Run the whole test suite (browser tests too, where chromium is installed)
	$(PY) -m pytest

test-fast: $(VENV)/.installed-test ## Run the suite without the browser tests
	$(PY) -m pytest -m "not e2e"

e2e: $(VENV)/.installed-test ## Run only the browser tests
	$(PY) -m pytest -m e2e

lint: $(VENV)/.installed-test ## ruff, and check that no model change lacks its migration
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=cms.settings.test $(MANAGE) makemigrations --check --dry-run

format: $(VENV)/.installed-test ## Format and fix the code with ruff
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: $(VENV)/.installed ## Update the Chinese catalogue and compile it (needs gettext)
	$(MANAGE) makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=tests --ignore=benchmarks
	$(MANAGE) compilemessages -l zh_Hans --ignore=.venv

messages-check: $(VENV)/.installed-test ## Fail if a user-facing string lacks its Chinese translation (needs gettext)
	$(MANAGE) makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=tests --ignore=benchmarks
	$(PY) -m pytest -q tests/test_translations.py

check-deploy: $(VENV)/.installed ## Django's deployment checks with the production settings
	SECRET_KEY=check-deploy-$$(date +%s)-a-long-random-secret-key-for-the-check ALLOWED_HOSTS=community.example.org \
		DJANGO_SETTINGS_MODULE=cms.settings.production $(MANAGE) check --deploy --fail-level WARNING

# PyYAML, which the check reads the advisories with, comes with the test extra (moto).
audit-deps: $(VENV)/.installed-test ## Report installed Python packages with known vulnerabilities, from the advisory snapshot in security/advisories
	$(PY) security/check_advisories.py

bench-history: $(VENV)/.installed ## Time the history centre over a million history rows (temp SQLite, or DATABASE_URL)
	$(PY) benchmarks/history_centre.py $(BENCH_ARGS)

bench-duty: $(VENV)/.installed ## Time the duty record book over 100,000 records (temp SQLite, or DATABASE_URL)
	$(PY) benchmarks/duty_records.py $(BENCH_ARGS)

bench-votes: $(VENV)/.installed ## Time the count of a vote with 10,000 ballots (temp SQLite, or DATABASE_URL)
	$(PY) benchmarks/votes_tally.py $(BENCH_ARGS)

bench-registers: $(VENV)/.installed ## Time the people registers over 100,000 persons and a million attendance rows (temp SQLite, or DATABASE_URL)
	$(PY) benchmarks/registers.py $(BENCH_ARGS)

bench: $(VENV)/.installed ## Load each public page with wrk under gunicorn at ten times the demo and at the demo's size, cached and uncached, with the big-table figures (BENCH_QUICK=1: quicker)
	@command -v wrk >/dev/null || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get install -y wrk || { apt-get update && apt-get install -y wrk; }; \
		else echo "wrk is missing: sudo apt-get install wrk (Debian, Ubuntu), or brew install wrk"; exit 1; fi; }
	$(PY) benchmarks/pages.py --compare-scale 1 $(if $(filter 1 yes true,$(BENCH_QUICK)),--quick) $(BENCH_ARGS)

# The seeding at a hundred times takes a quarter of an hour or more; BENCH_GROWTH_DATABASE
# keeps it (a DATABASE_URL that seed_demo only tops up) for the next run.
bench-growth: $(VENV)/.installed ## Load each public page at ten and at a hundred times the demo (only what the public sees) and print how each figure grows
	@command -v wrk >/dev/null || { echo "wrk is missing: run make bench once, or install wrk"; exit 1; }
	$(PY) benchmarks/pages.py --scale 10 --compare-scale 100 --public-only --no-big $(if $(BENCH_GROWTH_DATABASE),--compare-database $(BENCH_GROWTH_DATABASE)) $(BENCH_ARGS)

faults: $(VENV)/.installed ## Print what the site does under load when a gunicorn worker is killed and when media storage is full (FAULTS=postgres: PostgreSQL restarted, which restarts the local server)
	$(PY) benchmarks/faults.py $(FAULTS) $(BENCH_ARGS)

clean: ## Remove the virtual environment, the dev database and collected files
	rm -rf $(VENV) db.sqlite3 static media

# Two commands matter: `make demo` and `make test`. Everything else supports them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
TEST_SETTINGS := cso_press.settings.test
# The suite runs on both cores (pytest-xdist); PYTEST_ARGS=-n0 runs it in one process.
PYTEST_ARGS ?= -n 2

# `make makemessages` refreshes locale/ru/LC_MESSAGES/django.po from the code and templates.
makemessages: venv
	$(PY) manage.py makemessages --locale ru --ignore '.venv' --ignore 'node_modules' --ignore 'staticfiles' --no-obsolete

.PHONY: bench-media loadtest check-pages prod-check help venv makemessages messages migrate demo-data demo run test lint format check bench lock clean

help:
	@echo "make demo    - install, migrate, load demo content, create the demo editor, serve on $(HOST):$(PORT)"
	@echo "make test    - Django checks, migration check, the whole test suite"
	@echo "make lint    - ruff lint and format check, import contracts (import-linter)"
	@echo "make format  - ruff format and autofix"
	@echo "make bench   - performance benchmark (see README)"
	@echo "make bench-search - search and words filter p50/p95 at 100,000 releases (docs/bench-search.md)"
	@echo "make bench-mail - alert e-mails to 100,000 subscribers: messages/s and worker memory (docs/bench-mail.md)"
	@echo "make bench-media - photo processing and 60-photo upload benchmark (docs/bench-media.md)"

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

venv: $(VENV)/.installed

# Compiled message catalogues are build output, not committed. Compiled in Python (polib): no GNU gettext needed.
messages: venv
	$(PY) manage.py compile_catalogues --verbosity 0

migrate: venv messages
	$(PY) manage.py migrate --noinput

# load_demo belongs to the demo app, which the dev settings (manage.py's default) install and prod.py does not.
demo-data: migrate
	$(PY) manage.py load_demo

demo: demo-data
	$(PY) manage.py runserver $(HOST):$(PORT)

run: migrate
	$(PY) manage.py runserver $(HOST):$(PORT)

check: venv
	DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) $(PY) manage.py check --fail-level WARNING
	DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) $(PY) manage.py makemigrations --check --dry-run

# The admin screens' browser test (tests/browser/test_admin_screens.py) runs axe-core from node_modules.
test: venv messages check node_modules/.installed
	DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) $(PY) -m pytest $(PYTEST_ARGS)

# The import contracts are in pyproject.toml [tool.importlinter]; --no-cache: the graph takes a second to build.
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-logo --no-cache

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Benchmark on PostgreSQL (127.0.0.1:5432) with wrk; writes docs/benchmarks.md and docs/benchmarks.json.
BENCH_ARGS ?=
bench: venv messages
	$(PY) scripts/bench.py $(BENCH_ARGS)

# Search and the words filter at 100,000 releases (scripts/bench_search.py, own database cso_bench_search):
# p50/p95 of 200 different questions; writes docs/bench-search.md. BENCH_SEARCH_ARGS=--reuse keeps the data.
BENCH_SEARCH_ARGS ?=
.PHONY: bench-search
bench-search: venv messages
	$(PY) scripts/bench_search.py $(BENCH_SEARCH_ARGS)

# E-mail alerts (scripts/bench_mail.py, own database cso_bench_mail): one release to 100,000 subscribers through
# 2 Celery workers into a local SMTP sink; messages/s and worker memory at 10k/50k/100k; writes docs/bench-mail.md.
# BENCH_MAIL_ARGS="--count 20000" for a shorter run.
.PHONY: bench-mail
bench-mail: venv messages
	$(PY) scripts/bench_mail.py $(BENCH_MAIL_ARGS)

# Media benchmarks (scripts/bench_media.py): `codecs` (one 24 MP photo per imaging approach) and `uploads` (60 photos
# through gunicorn + 2 Celery workers on PostgreSQL and Redis); writes docs/bench-media.md and docs/bench-media.json.
# BENCH_MEDIA_ARGS="uploads --storage s3" runs one part with options. With the default (all), the press-kit part
# (scripts/bench_kits.py, below) runs after them.
BENCH_MEDIA_ARGS ?= all
bench-media: venv messages
	$(PY) scripts/bench_media.py $(BENCH_MEDIA_ARGS)
	if [ "$(BENCH_MEDIA_ARGS)" = all ]; then $(PY) scripts/bench_kits.py $(BENCH_KITS_ARGS); fi

# The press-kit part of the media benchmark: a 300 MB kit behind nginx + gunicorn, public page throughput with
# and without 10 slow kit downloaders (PostgreSQL database cso_bench_kits). Writes docs/bench-kits.md and .json.
.PHONY: bench-kits
bench-kits: venv messages
	$(PY) scripts/bench_kits.py $(BENCH_KITS_ARGS)

# 200 concurrent readers for 60 s on a mix of public pages; fails on any error or 5xx. Then the publish storm on
# the same database (scripts/storm.py, about 90 s more): 200 readers through Varnish while an editor publishes a
# release every 2 s; fails on any error, a hit ratio under 90 % or a release not shown; prints the timing goals
# (p99 <= 300 ms, visible within 1 s), which fail it only with STORM_ARGS=--strict. Writes docs/loadtest.md.
loadtest: venv messages
	$(PY) scripts/loadtest.py $(LOADTEST_ARGS)
	$(PY) scripts/storm.py --reuse $(STORM_ARGS)

# The publish storm alone (needs varnishd: apt-get install varnish). STORM_ARGS="--duration 20" for a short run.
.PHONY: loadtest-storm
loadtest-storm: venv messages
	$(PY) scripts/storm.py $(STORM_ARGS)

# The production recipe (deploy/) run for real on free ports: nginx with TLS in front of gunicorn, a worker
# and the scheduler, on production settings with PostgreSQL, a private Redis and an S3-compatible server; checks
# over HTTPS print PASS/FAIL and any FAIL fails the target. Needs nginx and libnginx-mod-http-brotli-filter.
PROD_CHECK_ARGS ?=
prod-check: venv
	$(PY) scripts/prod_check.py $(PROD_CHECK_ARGS)

# axe-core, the Nu Html Checker and Lighthouse on every public page type of a throwaway demo site, axe-core on
# the editors' screens; fails on any finding, writes docs/page-checks.md and docs/screenshots/. npm packages go
# to ./node_modules without their install scripts (they would try to download browsers).
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

CHECK_PAGES_ARGS ?=
check-pages: venv messages node_modules/.installed
	$(PY) scripts/check_pages.py $(CHECK_PAGES_ARGS)

# Rebuild the locks from pyproject.toml in scratch virtualenvs (the project itself is not built: only its
# dependencies are installed). requirements.lock: runtime and development, what `make venv` installs.
# requirements-prod.lock: the runtime dependencies alone, resolved under requirements.lock as constraints, so
# every version equals the full lock's (docs/deploy.md installs it; tests/deploy/test_deploy_doc.py checks it).
# Both sorted the same way whatever pip's own order, so that a re-run changes only the lines that changed.
LOCK_VENV := /tmp/cso-press-lock
PROJECT_DEPS = $(PYTHON) -c 'import sys, tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
	print("\n".join(p["dependencies"] + (p["optional-dependencies"]["dev"] if sys.argv[1] == "all" else [])))'
lock:
	rm -rf $(LOCK_VENV) $(LOCK_VENV)-prod && mkdir -p $(LOCK_VENV)-in
	$(PROJECT_DEPS) all > $(LOCK_VENV)-in/all.txt
	$(PROJECT_DEPS) runtime > $(LOCK_VENV)-in/runtime.txt
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet --disable-pip-version-check -r $(LOCK_VENV)-in/all.txt
	( echo '# Exact versions of every package, runtime and development; produced with `make lock`.'; \
	  $(LOCK_VENV)/bin/pip freeze | LC_ALL=C sort -f ) > requirements.lock
	$(PYTHON) -m venv $(LOCK_VENV)-prod
	$(LOCK_VENV)-prod/bin/pip install --quiet --disable-pip-version-check -c requirements.lock \
	  -r $(LOCK_VENV)-in/runtime.txt
	( echo '# Runtime packages only, for production (docs/deploy.md); versions equal to requirements.lock. Produced with `make lock`.'; \
	  $(LOCK_VENV)-prod/bin/pip freeze | LC_ALL=C sort -f ) > requirements-prod.lock

clean:
	rm -rf $(VENV) staticfiles .pytest_cache

# Background work (README "Background work"): a Celery worker for the given queues, and the one beat process
# that sends the periodic jobs. Both need a broker: CELERY_BROKER_URL, or the Redis of REDIS_URL/CACHE_URL.
.PHONY: run-worker run-beat
QUEUES ?= default,mail,media
WORKER_ARGS ?=
run-worker: migrate
	$(PY) -m celery -A cso_press worker --loglevel INFO --queues $(QUEUES) $(WORKER_ARGS)

run-beat: migrate
	$(PY) -m celery -A cso_press beat --loglevel INFO --schedule celerybeat-schedule

# Several app servers drill (scripts/multi_server_drill.py): two gunicorns, a Varnish in front of each (needs the
# Debian package varnish) and two Celery workers on a private PostgreSQL, Redis and S3-compatible server (free
# ports, a temporary folder); publish/withdraw through the caches, upload, a worker killed mid-task, Redis and
# PostgreSQL stopped and started. About a minute; exit code 0 = every check passed.
.PHONY: drill-servers
drill-servers: venv messages
	$(PY) scripts/multi_server_drill.py $(DRILL_ARGS)

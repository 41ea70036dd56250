# Set-up and everyday commands. `make run` and `make test` work on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: install run test lint migrations-check browser-deps bench

$(BIN)/python:
	$(PY) -m venv $(VENV)

# Reinstall only when the dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

# The browser test drives Debian's Chromium; without it (no root, no apt) that test skips.
browser-deps:
	@(command -v chromium && fc-list :lang=zh | grep -q .) >/dev/null 2>&1 || \
	  ( (apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-zenhei) >/dev/null 2>&1 \
	    && echo "installed Chromium for the browser test" ) || \
	  echo "Chromium could not be installed here: the browser test will be skipped"

test: install migrations-check browser-deps
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The benchmark (bench/run.py): province-sized data, gunicorn, N clients over HTTP, pgbench.
# On PostgreSQL when DATABASE_URL is set (in a new database beside it), else on SQLite.
# BENCH_ARGS passes options, e.g. BENCH_ARGS="--clients 16 --duration 20".
bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

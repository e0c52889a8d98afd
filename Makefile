# `make run` serves a demo clinic; `make test` runs everything CI runs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi

# Instants at which the clock-sensitive tests are replayed, in a zone with daylight saving:
# a Monday 00:30 UTC, a Sunday 23:30, both of Europe/London's changes in 2027, and the real now.
# Service tests replay on both databases on the daylight-saving days, on PostgreSQL at the others
# (the full run has compared the two already), which keeps CI under 15 minutes.
CLOCK_ZONE := Europe/London
CLOCK_INSTANTS := 2027-01-04T00:30:00+00:00=postgresql 2027-01-10T23:30:00+00:00=postgresql \
	2027-03-28T00:30:00+00:00=sqlite,postgresql 2027-10-31T00:30:00+00:00=sqlite,postgresql \
	real=postgresql

.PHONY: run test test-clock lint bench pins install install-dev clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.runtime-installed
install-dev: $(VENV)/.dev-installed node_modules/axe-core/axe.min.js

# The demo clinic is in London (its saved settings say so too); a CLINIC_TIMEZONE you set wins.
run: export CLINIC_TIMEZONE ?= Europe/London
run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	@echo "Serving the clinic at http://$(HOST):$(PORT)/  (Ctrl+C stops it and the mail worker)"
	@# The worker runs beside the web server and is stopped with it, however `flask run` ends.
	@$(BIN)/flask mail-worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	trap 'exit 130' INT TERM; \
	$(BIN)/flask run --host $(HOST) --port $(PORT)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .

test: install-dev
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	$(MAKE) --no-print-directory test-clock

test-clock: install-dev
	@for replay in $(CLOCK_INSTANTS); do \
	  instant=$${replay%%=*}; backends=$${replay#*=}; \
	  echo "== clock-sensitive tests at $$instant in $(CLOCK_ZONE) (service tests on $$backends)"; \
	  CLINIC_TIMEZONE=$(CLOCK_ZONE) CLINIC_TEST_NOW=$$instant CLINIC_TEST_BACKENDS=$$backends \
	    $(BIN)/python -m pytest -q -p no:cacheprovider tests/unit tests/services tests/web || exit 1; \
	done

bench: install-dev
	$(BIN)/python -m bench.run_all

# Every installed package pinned: edit requirements.in / requirements-dev.in, then `make pins`.
PIP_COMPILE = $(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
	--annotation-style=line
pins: | $(BIN)/activate
	$(BIN)/pip install --quiet pip-tools
	$(PIP_COMPILE) requirements.in -o requirements.txt
	$(PIP_COMPILE) requirements-dev.in -o requirements-dev.txt

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache

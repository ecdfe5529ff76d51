# make run: set up and serve the demo site; make test: set up and run every test.
# make serve: production, gunicorn with gunicorn.conf.py on EVENTSVC_DATABASE_URL, after
# the migrations and `eventsvc timezones refresh` (instants from the installed tz data).
PORT ?= 5000
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
export XDG_RUNTIME_DIR ?= /tmp/eventsvc-xdg-$(shell id -u)

.PHONY: run test lint format serve require-secret-key clean system-test-deps translations

# Message catalogs: eventsvc/translations/<language>/LC_MESSAGES/messages.po are written by
# hand (README, "Translations"); the .mo files the app reads are built from them.
TRANSLATIONS := eventsvc/translations
CATALOGS := $(patsubst %.po,%.mo,$(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po))

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,dev]'
	touch $(VENV)/.installed $@

# The catalogs carry no header (it would change at every update), and Babel counts a
# catalog without one as fuzzy: --use-fuzzy compiles it all the same (the catalog test
# refuses any message marked fuzzy), -l gives it its language's plural forms.
$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(BIN)/pybabel compile --statistics --use-fuzzy -l $* -i $< -o $@

# After changing any text of the interface: gather the messages again, merge them into each
# language's catalog, then translate what `make test` reports as missing.
translations: $(VENV)/.installed
	$(BIN)/pybabel --quiet extract -F pyproject.toml -k lazy_gettext -k _l -k lazy_pgettext:1c,2 --add-location=file \
	  --sort-by-file --omit-header -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel --quiet update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) \
	  --no-fuzzy-matching --ignore-obsolete --omit-header
	$(MAKE) --no-print-directory $(CATALOGS)

tests/js/node_modules/.installed: tests/js/package.json tests/js/package-lock.json
	cd tests/js && npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: $(VENV)/.installed $(CATALOGS)
	$(BIN)/eventsvc db upgrade
	$(BIN)/eventsvc timezones refresh
	PORT=$(PORT) $(BIN)/eventsvc demo
	PORT=$(PORT) $(BIN)/eventsvc run --host 127.0.0.1 --port $(PORT)

serve: require-secret-key $(VENV)/.installed $(CATALOGS)
	@test -n "$$EVENTSVC_DATABASE_URL" || echo "EVENTSVC_DATABASE_URL is not set: serving SQLite in instance/ (use PostgreSQL in production)." >&2
	$(BIN)/eventsvc db upgrade
	$(BIN)/eventsvc timezones refresh
	exec $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

require-secret-key:
	@test -n "$$EVENTSVC_SECRET_KEY" || { \
	  echo "make serve needs EVENTSVC_SECRET_KEY: it signs sessions and forms, the same on every instance." >&2; \
	  echo "Generate one once, keep it with your deployment's secrets, and export it:" >&2; \
	  echo "  export EVENTSVC_SECRET_KEY=\"\$$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')\"" >&2; \
	  exit 1; }

system-test-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is missing: install Debian's chromium package (sudo apt-get install chromium)"; exit 1; fi; }
	@mkdir -p -m 700 $(XDG_RUNTIME_DIR)

test: $(VENV)/.installed-test $(CATALOGS) tests/js/node_modules/.installed system-test-deps
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) tests/js/node_modules .pytest_cache

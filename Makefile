# Two commands matter (see README): `make run` and `make test`.
# Everything else here is what those two need, in the right order.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
APT_PACKAGES := chromium libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 poppler-utils wrk

export ADVISOR_ENV ?= development

.PHONY: run test lint install dev-install translations messages system-packages browser-assets bench clean

run: install translations
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/flask --app wsgi catalogue check
	$(BIN)/flask --app wsgi run --host 127.0.0.1 --port 5000

test: dev-install translations system-packages browser-assets
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: dev-install
	$(BIN)/ruff check .

install: $(VENV)/.installed
dev-install: $(VENV)/.dev-installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d advisor/translations -D messages

# After changing user-facing strings: extract them and merge into the German catalogue,
# then translate the new entries (a test fails while any is missing).
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --omit-header \
	  --sort-output -o advisor/translations/messages.pot .
	$(BIN)/pybabel update -i advisor/translations/messages.pot -d advisor/translations \
	  --no-fuzzy-matching --ignore-obsolete

# Debian packages the tests use: Chromium for the browser tests, Pango and HarfBuzz
# subsetting for WeasyPrint, poppler for reading PDFs, wrk for the benchmark. Installed
# only if missing. (The report ships its own fonts; no system font is needed.)
system-packages:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

browser-assets: tests/browser/node_modules/axe-core/axe.min.js

tests/browser/node_modules/axe-core/axe.min.js: tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
	touch $@

bench: dev-install translations system-packages
	$(BIN)/python bench/answer_post.py
	$(BIN)/python bench/scoring.py
	$(BIN)/python bench/report.py

clean:
	rm -rf $(VENV) tests/browser/node_modules .pytest_cache .ruff_cache

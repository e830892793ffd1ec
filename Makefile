# The two commands of the README: `make run` (build the database from data/plans, then serve the dashboard)
# and `make test` (the whole test suite, as CI runs it). Both install what they need: a virtual environment
# in .venv made from requirements.lock alone, and the Debian packages the tests drive.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
export SSP_REFERENCE_DIR ?= $(abspath ../shared/reference)

.PHONY: run test test-fast setup browser office build export report lint bench lock

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

# Known-good versions: a deliberate upgrade is `make lock`, then the whole test suite, then a commit.
lock:
	$(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv pip compile pyproject.toml --extra test --python-version 3.11 --prerelease disallow \
	  -o requirements.lock

browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null)

# LibreOffice reads .doc/.odt plans and makes the PDF fixtures of the format tests
office:
	@command -v soffice >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	  --no-install-recommends libreoffice-writer fonts-dejavu-core fonts-liberation >/dev/null)

build: setup
	$(PY) -m etl build

report: setup
	$(PY) -m etl report --problems-only

export: build
	$(PY) -m etl export

run: build
	$(VENV)/bin/gunicorn -c gunicorn.conf.py app:server

test: setup browser office
	$(PY) -m pytest --headless -q

# unit, parse, normalise, golden and generalisation tests: no browser, no server, no national corpus
test-fast: setup
	$(PY) -m pytest -q -m "not browser and not slow"

bench: setup browser
	$(PY) -m bench

lint: setup
	$(PY) -m ruff check .

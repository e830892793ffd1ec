# The two set-up commands of the README: `make run` (build the database from the sample plans and
# serve the dashboard) and `make test` (the whole test suite, as CI runs it). Both install what they need.
PYTHON ?= python3
export SSP_REFERENCE_DIR ?= $(abspath ../shared/reference)

.PHONY: run test setup browser office build export lint bench

setup: .make/installed

.make/installed: pyproject.toml
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -e ".[test]"
	@mkdir -p .make && touch $@

browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null)

# LibreOffice reads .doc/.odt plans and makes the PDF fixtures of the format tests
office:
	@command -v soffice >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	  --no-install-recommends libreoffice-writer fonts-dejavu-core fonts-liberation >/dev/null)

build: setup
	$(PYTHON) -m etl build

export: build
	$(PYTHON) -m etl export

run: build
	$(PYTHON) app.py

test: setup browser office
	$(PYTHON) -m pytest --headless -q

bench: setup browser
	$(PYTHON) -m bench

lint: setup
	$(PYTHON) -m ruff check .

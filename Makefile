# Two commands a newcomer needs: `make run` and `make test`. Both build .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := service

.PHONY: run test lint bench contract clean vendor screenshots translations

$(BIN)/flask: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/flask

run: $(BIN)/flask
	$(BIN)/flask db upgrade
	$(BIN)/flask definitions load
	$(BIN)/flask users demo
	# The scheduler fires escalation timers beside the web server and stops with it.
	$(BIN)/flask scheduler run & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

test: $(BIN)/flask
	$(BIN)/pytest

lint: $(BIN)/flask
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# A longer property-based run over the OpenAPI document than `make test` makes.
contract: $(BIN)/flask
	GWARCHOD_CONTRACT_EXAMPLES=$${EXAMPLES:-400} $(BIN)/pytest -q -s tests/test_api_contract.py

# Front-end files, built from npm packages at the versions package-lock.json pins and kept in the
# repository with their licences, so that `make run` needs neither node nor a network.
WEB_VENDOR := service/web/static/vendor
BPMN_VENDOR := $(WEB_VENDOR)/bpmn-js
DMN_VENDOR := $(WEB_VENDOR)/dmn-js
DMN_STYLES := diagram-js.css dmn-js-shared.css dmn-js-drd.css dmn-js-decision-table.css \
	dmn-js-decision-table-controls.css dmn-js-literal-expression.css
vendor:
	npm ci --no-audit --no-fund --ignore-scripts
	rm -rf $(WEB_VENDOR) tests/vendor
	mkdir -p $(WEB_VENDOR)/govuk-frontend tests/vendor/axe-core
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $(WEB_VENDOR)/govuk-frontend/
	$(PYTHON) scripts/licence.py node_modules/govuk-frontend > $(WEB_VENDOR)/govuk-frontend/LICENCE.txt
	npx sass --load-path=node_modules --style=compressed --no-source-map \
		service/web/assets/gwarchod.scss $(WEB_VENDOR)/gwarchod.css
	cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE tests/vendor/axe-core/
	# The process owners' diagram editor: bpmn-js with its properties panel and Gwarchod's
	# properties, bundled by esbuild (the panel ships no bundle of its own; see the script),
	# with the licence of every package in the bundle, and bpmn-js's styles and icon font
	# (WOFF2 and WOFF: the formats every browser Gwarchod supports reads).
	mkdir -p $(BPMN_VENDOR)/bpmn-font/css $(BPMN_VENDOR)/bpmn-font/font
	node scripts/bundle_modeller.mjs $(BPMN_VENDOR)/gwarchod-modeller.min.js $(BPMN_VENDOR)/meta.json
	$(PYTHON) scripts/bundle_licences.py $(BPMN_VENDOR)/meta.json > $(BPMN_VENDOR)/LICENCES.txt
	rm $(BPMN_VENDOR)/meta.json
	cp node_modules/bpmn-js/dist/assets/bpmn-js.css node_modules/bpmn-js/dist/assets/diagram-js.css \
		node_modules/@bpmn-io/properties-panel/dist/assets/properties-panel.css $(BPMN_VENDOR)/
	cp node_modules/bpmn-js/dist/assets/bpmn-font/css/bpmn.css $(BPMN_VENDOR)/bpmn-font/css/
	cp node_modules/bpmn-js/dist/assets/bpmn-font/font/bpmn.woff2 \
		node_modules/bpmn-js/dist/assets/bpmn-font/font/bpmn.woff $(BPMN_VENDOR)/bpmn-font/font/
	# The auditors' diagrams: bpmn-js's own NavigatedViewer bundle as the package ships it (it
	# sets window.BpmnJS), with the package's licence, drawn with the same styles and font.
	cp node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js \
		node_modules/bpmn-js/LICENSE $(BPMN_VENDOR)/
	# Decision tables: dmn-js's own bundle, its licence and styles as the package ships them.
	mkdir -p $(DMN_VENDOR)/dmn-font/css $(DMN_VENDOR)/dmn-font/font
	cp node_modules/dmn-js/dist/dmn-modeler.production.min.js node_modules/dmn-js/LICENSE \
		$(DMN_VENDOR)/
	cp $(addprefix node_modules/dmn-js/dist/assets/,$(DMN_STYLES)) $(DMN_VENDOR)/
	cp node_modules/dmn-js/dist/assets/dmn-font/css/dmn.css $(DMN_VENDOR)/dmn-font/css/
	cp node_modules/dmn-js/dist/assets/dmn-font/font/dmn.woff2 \
		node_modules/dmn-js/dist/assets/dmn-font/font/dmn.woff $(DMN_VENDOR)/dmn-font/font/

# The pages' words: extracted from the templates and views, filled in Welsh from
# scripts/welsh.py (which names any word it has no Welsh for), and compiled.
TRANSLATIONS := service/web/translations
translations: $(BIN)/flask
	$(BIN)/pybabel extract -F service/web/babel.cfg -k _l -o $(TRANSLATIONS)/messages.pot \
		--no-location --omit-header --sort-output .
	test -f $(TRANSLATIONS)/cy/LC_MESSAGES/messages.po || \
		$(BIN)/pybabel init -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) -l cy
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) -l cy \
		--no-fuzzy-matching --ignore-obsolete
	$(BIN)/python scripts/welsh.py $(TRANSLATIONS)/cy/LC_MESSAGES/messages.po
	$(BIN)/pybabel compile -d $(TRANSLATIONS) -l cy

# Each page in English and Welsh, as the browser tests see them, into docs/screenshots/.
screenshots: $(BIN)/flask
	GWARCHOD_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q tests/test_browser*.py -k sqlite

bench: $(BIN)/flask
	$(BIN)/python bench/complete_tasks.py

clean:
	rm -rf $(VENV) instance

# Two commands a newcomer needs: `make run` and `make test`. Both build .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := service

.PHONY: run test lint bench contract clean

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

bench: $(BIN)/flask
	$(BIN)/python bench/complete_tasks.py

clean:
	rm -rf $(VENV) instance

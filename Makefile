# The two commands a newcomer needs: `make run` and `make test`. Both build the
# virtual environment from the pinned requirements first, when it is missing or stale.
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt constraints.txt | cksum | cut -d' ' -f1)

.PHONY: run test lint venv bench-engine bench-sentiment bench-monitoring eval-sentiment bench clean

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

venv: $(STAMP)

run: venv
	$(BIN)/flask --app app demo

test: venv
	scripts/ensure-postgres.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/flask --app app campaigns check campaigns.yaml
	$(BIN)/pytest -q

lint: venv
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench-engine: venv
	$(BIN)/python -m bench.engine

bench-sentiment: venv
	$(BIN)/python -m bench.sentiment

bench-monitoring: venv
	$(BIN)/python -m bench.monitoring

eval-sentiment: venv
	$(BIN)/python -m monitoring.evaluate

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache

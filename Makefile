# The two commands a newcomer needs: `make run` and `make test`. Both build the
# virtual environment from the pinned requirements first, when it is missing or stale.
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt constraints.txt | cksum | cut -d' ' -f1)

.PHONY: run test fuzz lint venv bench-engine bench-leaderboard bench-web bench-sentiment bench-monitoring bench-scale eval-sentiment translations bench clean

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

venv: $(STAMP)

run: venv
	$(BIN)/flask --app app demo

# System packages the tests need (PostgreSQL, browsers, ...): each scripts/ensure-*.sh
# installs its package from Debian's archive when it is missing.
test: venv
	for script in scripts/ensure-*.sh; do "$$script" || exit 1; done
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/flask --app app campaigns check campaigns.yaml
	$(BIN)/pytest -q

# Fuzzing with fresh random cases (the test suite replays a fixed set).
fuzz: venv
	FANFARE_HYPOTHESIS_PROFILE=explore $(BIN)/pytest -q tests/engine/rules/test_loader_fuzz.py tests/engine/test_events_fuzz.py tests/web/test_api_v1_fuzz.py tests/web/test_forms_fuzz.py

lint: venv
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench-engine: venv
	$(BIN)/python -m bench.engine

bench-leaderboard: venv
	scripts/install-redis.sh
	$(BIN)/python -m bench.leaderboard

bench-web: venv
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python -m bench.web

# Re-extract the messages of templates and code and merge them into the German catalogue
# (the .mo files are compiled when the app starts).
translations: venv
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot --ignore-dirs=".venv tests bench" .
	$(BIN)/pybabel update -i translations/messages.pot -d translations -l de --no-fuzzy-matching

bench-sentiment: venv
	$(BIN)/python -m bench.sentiment

bench-monitoring: venv
	$(BIN)/python -m bench.monitoring

bench-scale: venv
	scripts/ensure-postgres.sh
	$(BIN)/python -m bench.scale

eval-sentiment: venv
	$(BIN)/python -m monitoring.evaluate

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache

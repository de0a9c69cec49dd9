# TIK: `make run` sets everything up and starts TIK; `make test` sets up and runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core fonts-noto-core poppler-utils
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres

.PHONY: lock run run-sso test test-sqlite test-postgres check fuzz mutate install translations assets system-deps browser-deps bench clean

run: install assets
	$(BIN)/tik init-db
	$(BIN)/tik demo
	@echo
	@echo "  TIK kjører på http://$(HOST):$(PORT)/  (Ctrl+C stopper)"
	@echo
	$(BIN)/tik run --host $(HOST) --port $(PORT)

# `make run` with single sign-on: the local OIDC test provider (`tik dev-idp`, port 5001, development only)
# next to TIK. Open http://127.0.0.1:5000/ and sign in as the demo teacher or leader through the provider.
IDP_PORT ?= 5001
run-sso: install assets
	$(BIN)/tik init-db
	$(BIN)/tik demo
	$(BIN)/tik dev-idp --port $(IDP_PORT) --tik-url http://$(HOST):$(PORT) & \
	TIK_OIDC_STAFF_ISSUER=http://127.0.0.1:$(IDP_PORT) TIK_OIDC_STAFF_CLIENT_ID=tik-staff \
	TIK_OIDC_STAFF_CLIENT_SECRET=dev-staff-secret TIK_OIDC_STAFF_LABEL=Testleverandøren \
	TIK_OIDC_FAMILY_ISSUER=http://127.0.0.1:$(IDP_PORT) TIK_OIDC_FAMILY_CLIENT_ID=tik-family \
	TIK_OIDC_FAMILY_CLIENT_SECRET=dev-family-secret TIK_OIDC_FAMILY_LABEL="ID-porten (test)" \
	$(BIN)/tik run --host $(HOST) --port $(PORT); kill $$! 2>/dev/null || true

test: install assets browser-deps check test-sqlite test-postgres

# The suite on TEST_WORKERS processes (pytest-xdist): whole test files go to a worker, and each worker has its
# own database, OIDC provider and browser server (tests/conftest.py, tests/browser/conftest.py).
# A run that collects no tests exits 5 and fails `make`, as any failure does.
TEST_WORKERS ?= 2
PYTEST := $(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile

test-sqlite:
	$(PYTEST)

test-postgres:
	TIK_TEST_DATABASE_URL=$(PG_TEST_URL) $(PYTEST) -m "not browser"

check:
	$(BIN)/ruff check tik tests tools devkit bench
	$(BIN)/tik guide check
	$(BIN)/bandit -q -r tik tools -c pyproject.toml
	$(BIN)/python tools/audit_dependencies.py $(BIN)/pip-audit

# The fuzz test at length: TIK_FUZZ_EXAMPLES generated requests per route (make test runs 12), both databases.
FUZZ_EXAMPLES ?= 500
fuzz: install assets
	TIK_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -q -p no:cacheprovider tests/checks/test_fuzz.py
	TIK_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) TIK_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -q -p no:cacheprovider tests/checks/test_fuzz.py

# Mutation testing of the security core ([tool.mutmut] in pyproject.toml says what and with which tests).
# MUTATE_MINUTES bounds the run (stopped as with Ctrl-C); mutmut keeps its results in mutants/, so a second
# run goes on where it stopped. MUTATE_CHILDREN: mutants tested at once (the cores are shared: 1 or 2).
# MUTANTS narrows a run to some modules or functions (mutmut's names, `*` allowed), e.g.
# MUTANTS='tik.cases.* tik.plans.*'; the score counts every result mutants/ holds.
MUTATE_MINUTES ?= 120
MUTATE_CHILDREN ?= 2
MUTANTS ?=
mutate: install assets
	-timeout --signal=INT $$(( $(MUTATE_MINUTES) * 60 )) $(BIN)/mutmut run --max-children $(MUTATE_CHILDREN) $(MUTANTS)
	$(BIN)/python tools/mutation_score.py

install: system-deps $(VENV)/.installed translations

# The interface in nynorsk and English: catalogues compiled from the committed .po files.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d tik/translations

# Every dependency, transitive ones included, comes from requirements.lock with its hashes (pip refuses a file
# whose hash differs); TIK itself is then installed on top without resolving anything again, and beside it the
# development kit (devkit/: `tik demo`, `tik seed-scale`, `tik dev-idp`), which a production install leaves out.
$(VENV)/.installed: pyproject.toml devkit/pyproject.toml requirements.lock
	[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip==26.3
	$(BIN)/pip install -q --require-hashes -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	$(BIN)/pip install -q --no-deps -e devkit
	touch $@

# After changing a dependency in pyproject.toml: `make lock` writes requirements.lock again (then commit both).
lock: $(VENV)/.installed
	$(BIN)/uv pip compile pyproject.toml --extra test --generate-hashes --python-version 3.11 \
	  --no-header --quiet -o requirements.lock

assets: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# WeasyPrint needs Pango and fonts; the tests read PDFs back with poppler's pdftotext.
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "Installing$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi

# Browser tests drive Debian's chromium (never a downloaded browser).
# chromium-l10n makes it a Norwegian browser, so date fields read dd.mm.åååå as our users see them.
browser-deps:
	@missing=""; for p in chromium chromium-l10n; do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "Installing$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi

bench: install assets
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) node_modules .pytest_cache

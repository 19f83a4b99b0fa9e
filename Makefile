# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
FLASK  := $(VENV)/bin/flask --app app
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: install install-dev lint fonts browser-deps assets translations compile-translations run serve migrate demo test test-pg bench bench-deps clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed compile-translations assets fonts
install-dev: $(VENV)/.installed-dev compile-translations

## The diagram viewer (bpmn-js, pinned in package-lock.json) into app/static/vendor/bpmn-js, and
## the process administrators' diagram editor (app/static/js/modeler/, bundled by esbuild with the
## properties panel and bpmnlint) into app/static/vendor/modeler.
## Without npm the process pages still work: they show the event log and say the viewer is missing.
NPM        ?= npm
BPMN_DIST  := node_modules/bpmn-js/dist
BPMN_VENDOR := app/static/vendor/bpmn-js
assets:
	@if ! command -v $(NPM) >/dev/null 2>&1; then \
		echo "*** npm not found: the BPMN diagram viewer is NOT installed (process pages show only the event log)."; \
		echo "*** Install Node.js and npm, then run 'make assets'."; \
		exit 0; \
	fi; \
	if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then \
		$(NPM) ci --no-audit --no-fund && touch node_modules || { \
			echo "*** npm ci failed: the BPMN diagram viewer is NOT installed/updated (run 'make assets' again later)."; \
			exit 0; }; \
	fi; \
	rm -rf $(BPMN_VENDOR) && \
	mkdir -p $(BPMN_VENDOR)/assets/bpmn-font/css $(BPMN_VENDOR)/assets/bpmn-font/font && \
	cp $(BPMN_DIST)/bpmn-navigated-viewer.production.min.js $(BPMN_VENDOR)/ && \
	cp $(BPMN_DIST)/assets/diagram-js.css $(BPMN_DIST)/assets/bpmn-js.css $(BPMN_VENDOR)/assets/ && \
	cp $(BPMN_DIST)/assets/bpmn-font/css/bpmn.css $(BPMN_VENDOR)/assets/bpmn-font/css/ && \
	cp $(BPMN_DIST)/assets/bpmn-font/font/bpmn.* $(BPMN_VENDOR)/assets/bpmn-font/font/ && \
	echo "bpmn-js $$(node -p "require('./node_modules/bpmn-js/package.json').version" 2>/dev/null) copied to $(BPMN_VENDOR)" && \
	{ node tools/build-modeler.mjs || \
		echo "*** the diagram editor could NOT be built (app/static/vendor/modeler): diagrams cannot be edited in the browser."; }

compile-translations: $(VENV)/.installed
	$(VENV)/bin/pybabel compile --statistics -d app/translations

## Re-extract messages into app/translations/messages.pot and merge them into the catalogs
translations: $(VENV)/.installed
	PYTHONPATH=. $(VENV)/bin/pybabel extract -F babel.cfg -k _l -k N_ --no-location --sort-output \
		--project ce-approvals -o app/translations/messages.pot .
	$(VENV)/bin/pybabel update -i app/translations/messages.pot -d app/translations --ignore-obsolete \
		--no-fuzzy-matching

migrate: install
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo

## Install, migrate, load demo data and serve on http://127.0.0.1:5000 (with the timer runner:
## deadlines in the diagrams, e.g. a class's resubmit deadline, fire while it serves)
run: demo
	$(FLASK) run-timers --loop & trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

## Production-style server (gunicorn, 4 workers)
serve: demo
	$(FLASK) run-timers --loop & trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn -c gunicorn.conf.py --bind $(HOST):$(PORT) "app:create_app()"

## Lint: ruff (settings in ruff.toml) and bpmnlint's recommended rules on every diagram (.bpmnlintrc)
lint: install-dev assets
	$(VENV)/bin/ruff check .
	node_modules/.bin/bpmnlint bpmn/*.bpmn

## For the PDFs (filing forms, WeasyPrint): a CJK font they embed (the browser tests draw with it
## too) and HarfBuzz's font subsetter (Debian packages). Needs root; skipped if present. Without
## the font the filing form answers 503 and says why.
PDF_DEBS := fonts-wqy-zenhei libharfbuzz-subset0
fonts:
	@if fc-list :lang=zh 2>/dev/null | grep -qi "wenquanyi\|wqy\|noto sans cjk" && \
		ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		(apt-get install -y -q $(PDF_DEBS) >/dev/null 2>&1 || \
		 (apt-get update -q >/dev/null && apt-get install -y -q $(PDF_DEBS) >/dev/null 2>&1)) \
		|| echo "*** could not install $(PDF_DEBS): filing forms (PDF) cannot be generated"; \
	else echo "*** install $(PDF_DEBS) to generate filing forms (PDF)"; fi

## Chromium for the browser tests (Debian package; needs root, skipped if present)
browser-deps: fonts
	@if [ -x /usr/bin/chromium ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		(apt-get install -y -q chromium >/dev/null || \
		 (apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null)) \
		|| echo "*** could not install chromium: browser tests will be skipped"; \
	else echo "*** install chromium to run the browser tests"; fi

## The whole test suite (SQLite unless TEST_DATABASE_URL is set), browser tests included, in
## PYTEST_WORKERS processes (pytest-xdist; one file's tests stay in one worker, which keeps the
## module-scoped apps and servers to one each; on PostgreSQL each worker has its own database)
PYTEST_WORKERS ?= 2
test: install-dev assets browser-deps
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile

## The whole test suite against the local PostgreSQL
test-pg: install-dev assets browser-deps
	TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile

## Claim-lifecycle benchmark over real HTTP (SQLite and PostgreSQL). The crash harness
## (bench/crash.py) runs its server under libfaketime (Debian package faketime) so that the
## supplements' January window is open: installed here (needs root; skipped if present; without
## it crash.py skips the supplementary client and says why).
BENCH_DEBS := faketime
$(VENV)/.installed-bench: bench/requirements.txt $(VENV)/.installed-dev
	$(PIP) install --quiet -r bench/requirements.txt
	touch $@

bench-deps: install-dev $(VENV)/.installed-bench
	@if [ -e /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		(apt-get install -y -q $(BENCH_DEBS) >/dev/null 2>&1 || \
		 (apt-get update -q >/dev/null && apt-get install -y -q $(BENCH_DEBS) >/dev/null 2>&1)) \
		|| echo "*** could not install $(BENCH_DEBS): bench/crash.py will skip its supplementary client"; \
	else echo "*** install $(BENCH_DEBS) (apt-get install faketime) for bench/crash.py's supplementary client"; fi

bench: bench-deps
	$(PY) bench/claims.py

clean:
	rm -rf $(VENV) instance .pytest_cache

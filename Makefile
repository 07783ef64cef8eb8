# danvan — two commands: `make run` and `make test`. Everything they need is installed here.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask
export FLASK_APP := app
APT_TEST_PACKAGES := chromium libharfbuzz-subset0 fonts-liberation poppler-utils libpango-1.0-0 libpangoft2-1.0-0
PG_HOST := 127.0.0.1

.PHONY: run install install-dev test test-sqlite test-postgresql test-deps pg-up bench bench-deps lint

$(VENV)/.installed: requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: $(VENV)/.installed
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	@echo "Mở http://127.0.0.1:5000 — đăng nhập bằng một tài khoản mẫu ở trên."
	$(FLASK) run --host 127.0.0.1 --port 5000

# Debian packages the tests need (headless Chromium, PDF tools, fonts); idempotent.
test-deps:
	@missing=$$(for p in $(APT_TEST_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Cài gói Debian: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@test -x /usr/bin/chromium || { echo "THIẾU /usr/bin/chromium: không chạy được kiểm thử trình duyệt" >&2; exit 1; }

pg-up:
	@pg_isready -q -h $(PG_HOST) -p 5432 || { \
	  ver=$$(ls /etc/postgresql | sort -n | tail -1); \
	  echo "Khởi động PostgreSQL $$ver"; \
	  pg_ctlcluster --skip-systemctl-redirect $$ver main start; \
	  for i in $$(seq 1 30); do pg_isready -q -h $(PG_HOST) -p 5432 && break; sleep 1; done; }
	@pg_isready -h $(PG_HOST) -p 5432 || { echo "PostgreSQL không chạy trên $(PG_HOST):5432" >&2; exit 1; }

test-sqlite: $(VENV)/.installed-dev test-deps
	DANVAN_TEST_BACKEND=sqlite $(PY) -m pytest -p no:cacheprovider

test-postgresql: $(VENV)/.installed-dev test-deps pg-up
	DANVAN_TEST_BACKEND=postgresql $(PY) -m pytest -p no:cacheprovider

# The whole suite on SQLite, then on PostgreSQL (browser tests included in both).
test: $(VENV)/.installed-dev test-deps pg-up
	$(VENV)/bin/ruff check .
	DANVAN_TEST_BACKEND=sqlite $(PY) -m pytest -p no:cacheprovider
	DANVAN_TEST_BACKEND=postgresql $(PY) -m pytest -p no:cacheprovider

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .

# Load tool: Debian's wrk (not the PyPI package of that name); installed when missing.
bench-deps:
	@command -v wrk >/dev/null || { echo "Cài gói Debian: wrk"; apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

# Exits non-zero when a page misses the goal of issue 14 (see bench/harness.py GOAL).
bench: $(VENV)/.installed-dev pg-up bench-deps
	$(PY) -m bench

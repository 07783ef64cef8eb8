# danvan — two commands: `make run` and `make test`. Everything they need is installed here.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask
export FLASK_APP := app
APT_TEST_PACKAGES := chromium libharfbuzz-subset0 fonts-liberation poppler-utils libpango-1.0-0 libpangoft2-1.0-0
PG_HOST := 127.0.0.1

.PHONY: run install install-dev test test-sqlite test-postgresql test-deps pg-up redis-up bench bench-deps lint cluster-test haproxy-installed

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

# One job consumer beside the web server (Huey on SQLite under instance/); when either ends
# (Ctrl-C reaches both), the other is stopped too.
run: $(VENV)/.installed
	$(FLASK) db upgrade
	@# The demo (published password) goes only into the embedded default database.
	@if [ -z "$$DATABASE_URL" ]; then $(FLASK) seed-demo; else \
	  echo "DATABASE_URL đã đặt: không nạp dữ liệu mẫu (muốn nạp: flask seed-demo). Kiểm tra: flask check-deploy"; fi
	@echo "Mở http://127.0.0.1:5000 — đăng nhập bằng một tài khoản mẫu ở trên."
	@$(FLASK) worker --workers 2 & worker=$$!; \
	$(FLASK) run --host 127.0.0.1 --port 5000 & web=$$!; \
	trap 'kill -TERM $$web 2>/dev/null; kill -INT $$worker 2>/dev/null' INT TERM; \
	wait -n $$web $$worker; kill -TERM $$web 2>/dev/null; kill -INT $$worker 2>/dev/null; wait

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

# Redis on 127.0.0.1:6379 for the PostgreSQL pass (jobs on Redis): installed from Debian if
# missing, started if down; idempotent, never asks anything.
redis-up:
	@command -v redis-server >/dev/null || { \
	  echo "Cài gói Debian: redis-server"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { \
	  echo "Khởi động Redis"; \
	  redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save "" --appendonly no >/dev/null; \
	  for i in $$(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.2; done; }
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "Redis không chạy trên 127.0.0.1:6379" >&2; exit 1; }

test-sqlite: $(VENV)/.installed-dev test-deps
	DANVAN_TEST_BACKEND=sqlite $(PY) -m pytest -p no:cacheprovider

test-postgresql: $(VENV)/.installed-dev test-deps pg-up redis-up
	DANVAN_TEST_BACKEND=postgresql $(PY) -m pytest -p no:cacheprovider

# The whole suite on SQLite and on PostgreSQL side by side, one core each (browser tests in both):
# each run has its own databases, Huey queue, rate-limit key prefix and server ports. Lines are
# prefixed with the backend; fails when either run fails.
test: $(VENV)/.installed-dev test-deps pg-up redis-up
	$(VENV)/bin/ruff check .
	@set -o pipefail; \
	( DANVAN_TEST_BACKEND=sqlite $(PY) -m pytest -p no:cacheprovider --durations=12 2>&1 | sed -u 's/^/[sqlite] /' ) & s=$$!; \
	( DANVAN_TEST_BACKEND=postgresql $(PY) -m pytest -p no:cacheprovider --durations=12 2>&1 | sed -u 's/^/[postgresql] /' ) & p=$$!; \
	wait $$s; rs=$$?; wait $$p; rp=$$?; \
	echo "make test: SQLite exit $$rs, PostgreSQL exit $$rp"; test $$rs -eq 0 && test $$rp -eq 0

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .

# Load tool: Debian's wrk (not the PyPI package of that name); installed when missing.
bench-deps:
	@command -v wrk >/dev/null || { echo "Cài gói Debian: wrk"; apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

# Exits non-zero when a page misses the goal of issue 14 (see bench/harness.py GOAL).
bench: $(VENV)/.installed-dev pg-up bench-deps redis-up haproxy-installed
	$(PY) -m bench
	timeout 900 $(PY) deploy/cluster_test.py --bench

# The production shape on loopback (PostgreSQL, Redis, 2 gunicorn, HAProxy, 2 consumers); about
# 3 minutes, so it runs from `make bench`, not `make test`. Installs Debian's haproxy if missing.
haproxy-installed:
	@command -v haproxy >/dev/null || test -x /usr/sbin/haproxy || { \
	  echo "Cài gói Debian: haproxy"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null; }

cluster-test: $(VENV)/.installed-dev pg-up redis-up haproxy-installed
	timeout 600 $(PY) deploy/cluster_test.py

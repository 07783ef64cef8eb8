"""gunicorn settings for an app server: `gunicorn -c deploy/gunicorn.conf.py app:app`.
(Kept out of the top folder on purpose: gunicorn loads ./gunicorn.conf.py by itself, and
bench/ runs its own 2 sync workers.)

Heavy work (exports, packets, long PDFs, imports) runs in the job consumers, so requests are
short: a sync-style gthread worker per core pair, modest timeouts, graceful restarts
(`systemctl reload` sends HUP: new workers start before the old ones finish their requests).
Every value can be overridden from the environment for one server without editing this file.
"""
import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))          # a stuck worker is replaced after this
graceful_timeout = int(os.environ.get("WEB_GRACEFUL_TIMEOUT", "30"))  # time to finish on restart/stop
keepalive = 5
max_requests = 2000            # recycle workers now and then (memory of big renders is given back)
max_requests_jitter = 200
# Only the balancer may set X-Forwarded-*; the app trusts one hop (PROXY_COUNT=1, ProxyFix).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("WEB_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("WEB_LOG_LEVEL", "info")

"""Security headers on every response, and the rate limiter.

The Content-Security-Policy allows scripts and styles from this server only: no inline script,
no on*= handler, no eval (htmx runs with allowEval false, see base.html), no inline style
attribute (bars and heat cells get their width/colour from static/js/app.js through the CSSOM,
which CSP does not block). A template that reintroduces any of these stops working in the
browser, and tests/test_security_headers.py fails on it first.
"""
from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'self'",
))
# No page needs any of these browser features.
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "camera", "microphone", "geolocation", "payment", "usb", "serial", "bluetooth",
    "accelerometer", "gyroscope", "magnetometer", "midi", "display-capture", "interest-cohort",
))
HEADERS = {
    "Content-Security-Policy": CSP,
    "Permissions-Policy": PERMISSIONS_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}

# Limits per client address (ProxyFix, when deployed behind one proxy, makes remote_addr the
# client's). Storage: memory:// on the embedded default (one process), Redis when REDIS_URL is
# set, so every app server counts the same requests. Limits are declared on the views.
limiter = Limiter(key_func=get_remote_address, default_limits=[],
                  headers_enabled=False, strategy="moving-window")


def limiter_storage(config) -> str:
    return config.get("RATELIMIT_STORAGE_URI") or config.get("REDIS_URL") or "memory://"


def init_app(app: Flask) -> None:
    app.config["RATELIMIT_STORAGE_URI"] = limiter_storage(app.config)
    limiter.init_app(app)

    @app.after_request
    def security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response

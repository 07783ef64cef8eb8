"""`/healthz` for the balancer: database, queue store and queue depth as JSON; no login, no data.

200 while the database answers (the queue being down degrades jobs, not pages), 503 otherwise,
so the balancer takes a server whose database is unreachable out of rotation.
"""
from __future__ import annotations

from flask import Flask, jsonify

from danvan.core import jobs
from danvan.extensions import db


def register(app: Flask) -> None:
    @app.route("/healthz")
    def healthz():
        status = {"db": "ok", "redis": "not configured", "queue": "ok", "queue_depth": None}
        try:
            db.session.execute(db.text("SELECT 1"))
            db.session.rollback()
        except Exception:
            db.session.rollback()
            status["db"] = "down"
        if app.config.get("REDIS_URL"):
            status["redis"] = "ok"
        try:
            status["queue_depth"] = jobs.queue_depth()
        except Exception:
            status["queue"] = "down"
            if app.config.get("REDIS_URL"):
                status["redis"] = "down"
        response = jsonify(status)
        response.status_code = 200 if status["db"] == "ok" else 503
        response.headers["Cache-Control"] = "no-store"
        return response

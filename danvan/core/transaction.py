"""One commit per request, at its end; errors roll back.

Views and services only flush. A response below 400 commits; a 4xx/5xx rolls back, unless
the view called `keep_changes()` (a failed login must still count the failure).
"""
from __future__ import annotations

from flask import Flask, g

from danvan.extensions import db


def keep_changes() -> None:
    g.keep_changes = True


def init_app(app: Flask) -> None:
    @app.after_request
    def commit_or_rollback(response):
        if response.status_code < 400 or g.get("keep_changes"):
            db.session.commit()
        else:
            db.session.rollback()
        return response

"""The home page."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user

from danvan.core import nav
from danvan.core.access import requires
from danvan.core.panels import rendered_for

bp = nav.blueprint("dashboard", __name__, "Trang chủ", "dashboard.view", 0)


@bp.route("/")
@requires("dashboard.view")
def index():
    return render_template("dashboard/index.html", panels=rendered_for(current_user))


@bp.route("/ping")
@requires("dashboard.view")
def ping():
    """The trivial route: benchmarks report every page as a ratio to it."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}

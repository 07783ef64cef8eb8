"""The Dân vận khéo blueprint and what its page modules share."""
from __future__ import annotations

from flask import request
from flask_login import current_user

from danvan.core import nav, panels
from danvan.core.units import Unit, register_open_work_mover, register_province_setup
from danvan.initiatives import config, registration, statistics

bp = nav.blueprint("initiatives", __name__, "Dân vận khéo", "initiatives.view", 25, url_prefix="/dan-van-kheo")
panels.register("initiatives", "initiatives/_panel.html", statistics.panel_context, 30,
                counts=statistics.panel_counts)
register_open_work_mover("Đăng ký Dân vận khéo", registration.move_open_work)
register_province_setup(config.ensure_config)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def load_province() -> Unit:
    """The user's province. Its default lists are made when the province is created (below);
    a province from before that gets them with its first write, never on a GET."""
    province = config.province_of(current_user.scope)
    if request.method != "GET":
        config.ensure_config(province)
    return province

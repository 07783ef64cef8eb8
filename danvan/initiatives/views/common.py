"""The Dân vận khéo blueprint and what its page modules share."""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from danvan.core import nav, panels
from danvan.core.units import Unit, register_open_work_mover
from danvan.initiatives import config, registration, statistics

bp = Blueprint("initiatives", __name__, url_prefix="/dan-van-kheo")
nav.register("Dân vận khéo", "initiatives.index", "initiatives.view", 25)
panels.register("initiatives", "initiatives/_panel.html", statistics.panel_context, 30)
register_open_work_mover("Đăng ký Dân vận khéo", registration.move_open_work)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def load_province() -> Unit:
    """The user's province, its configuration created the first time it is needed."""
    province = config.province_of(current_user.scope)
    config.ensure_config(province)
    return province

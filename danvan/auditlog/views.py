"""Audit events, filtered by user, unit, object type and date; scoped and paginated."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import request
from flask_login import current_user
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from danvan.auth.models import User
from danvan.core import access, nav
from danvan.core.access import requires
from danvan.core.audit import AuditEvent
from danvan.core.forms import Form, text_line
from danvan.core.htmx import render_page_or_partial
from danvan.core.pagination import paginate
from danvan.core.units import Unit
from danvan.core.vntext import TZ, matches
from danvan.extensions import db

bp = nav.blueprint("auditlog", __name__, "Nhật ký thao tác", "audit.view", 95, group="admin",
                   url_prefix="/quan-tri/nhat-ky")


class AuditFilterForm(Form):
    class Meta:
        csrf = False

    user = text_line("Người thực hiện", 100)
    unit = text_line("Đơn vị", 100)
    object_type = SelectField("Loại đối tượng", validate_choice=False)
    date_from = DateField("Từ ngày", validators=[Optional()], format=["%Y-%m-%d", "%d/%m/%Y"])
    date_to = DateField("Đến ngày", validators=[Optional()], format=["%Y-%m-%d", "%d/%m/%Y"])


def _local_day_start(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=TZ)


@bp.route("/")
@requires("audit.view")
def index():
    form = AuditFilterForm(request.args)
    types = db.session.scalars(sa.select(AuditEvent.object_type).distinct().order_by(AuditEvent.object_type))
    form.object_type.choices = [("", "Tất cả")] + [(t, t) for t in types if t]
    form.validate()
    stmt = access.scoped(sa.select(AuditEvent, User, Unit), AuditEvent.unit_id, current_user)
    stmt = stmt.outerjoin(User, User.id == AuditEvent.user_id).outerjoin(Unit, Unit.id == AuditEvent.unit_id)
    if (found := matches(form.user.data, User.search_key)) is not None:
        stmt = stmt.where(found)
    if (found := matches(form.unit.data, Unit.name_key)) is not None:
        stmt = stmt.where(found)
    if form.object_type.data:
        stmt = stmt.where(AuditEvent.object_type == form.object_type.data)
    if form.date_from.data and not form.date_from.errors:
        stmt = stmt.where(AuditEvent.at >= _local_day_start(form.date_from.data))
    if form.date_to.data and not form.date_to.errors:
        stmt = stmt.where(AuditEvent.at < _local_day_start(form.date_to.data + timedelta(days=1)))
    page = paginate(stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()), scalars=False)
    return render_page_or_partial("auditlog/index.html", "auditlog/_rows.html", page=page, form=form)

"""The bell (unread count, refreshed by htmx), the list, opening and marking read."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask_login import current_user

from danvan.core.access import requires
from danvan.core.forms import ConfirmForm
from danvan.core.htmx import is_htmx, redirect_to, render_page_or_partial
from danvan.core.pagination import paginate
from danvan.extensions import db
from danvan.notifications import service
from danvan.notifications.models import Notification

bp = Blueprint("notifications", __name__, url_prefix="/thong-bao")


def _load(notification_id: int) -> Notification:
    """Notifications are personal: anyone else's id is 404."""
    row = db.session.get(Notification, notification_id)
    if row is None or row.user_id != current_user.id:
        abort(404)
    return row


@bp.route("/")
@requires("notifications.view")
def index():
    unread_only = request.args.get("chua_doc") == "1"
    page = paginate(service.list_query(current_user, unread_only=unread_only))
    return render_page_or_partial("notifications/index.html", "notifications/_list.html", page=page,
                                  unread_only=unread_only, unread=service.unread_count(current_user))


@bp.app_context_processor
def bell_context() -> dict:
    """The top bar renders the unread count into every page (templates/_bell.html): one indexed count,
    asked only when the bell is drawn."""
    return {"bell_unread": lambda: service.unread_count(current_user)}


@bp.route("/dem")
@requires("notifications.view")
def bell():
    return render_template("notifications/_count.html", unread=service.unread_count(current_user))


@bp.route("/<int:notification_id>")
@requires("notifications.read")
def open(notification_id: int):  # noqa: A001  (the endpoint's name)
    row = _load(notification_id)
    service.mark_read(row)
    target = row.link if row.link.startswith("/") and not row.link.startswith("//") else None
    return redirect(target or redirect_url(), code=303)


def redirect_url() -> str:
    from flask import url_for

    return url_for("notifications.index")


@bp.route("/<int:notification_id>/da-doc", methods=["POST"])
@requires("notifications.read")
def mark_read(notification_id: int):
    row = _load(notification_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    service.mark_read(row)
    if is_htmx():
        return render_template("notifications/_item.html", n=row)
    return redirect_to("notifications.index")


@bp.route("/da-doc-tat-ca", methods=["POST"])
@requires("notifications.read")
def mark_all_read():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    count = service.mark_all_read(current_user)
    flash(f"Đã đánh dấu {count} thông báo là đã đọc." if count else "Không có thông báo chưa đọc.", "success")
    return redirect_to("notifications.index")

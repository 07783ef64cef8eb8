"""Parts of a conference edited in place with htmx: chairs, điểm cầu, invitees (and their replies), agenda."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, flash, render_template, request, url_for
from flask_login import current_user

from danvan.core import access
from danvan.core.access import requires
from danvan.core.forms import add_error
from danvan.core.htmx import empty, is_htmx, redirect_to
from danvan.core.models import StaleEdit
from danvan.printing import pdf_response

from .. import agenda, issued, participants, service
from ..forms import (
    ChairEditForm,
    ChairForm,
    ConfirmInviteeForm,
    InviteesForm,
    ItemEditForm,
    ItemForm,
    PointEditForm,
    PointsForm,
)
from ..models import ConferenceChair, ConferenceInvitee, ConferenceItem, ConferencePoint
from ..service import ConferenceError
from .page import bp, detail_context, part, part_form_route, prefix, stated


def _remove_route(name: str, model: type, arg: str, path: str) -> None:
    """POST /<path>/<id>/xoa (endpoint remove_<name>): delete a chair, point or invitee of a conference
    the user manages; an empty row for htmx, else back to the conference page."""

    def remove(**ids: int):
        obj = service.load_part_or_404(model, ids[arg], current_user, organiser_only=True)
        conf = obj.conference
        access.authorize(current_user, "manage", conf)
        service.remove(obj)
        return empty() if is_htmx() else redirect_to("conferences.detail", conference_id=conf.id)

    access.route(bp, f"/{path}/<int:{arg}>/xoa", f"remove_{name}", "conferences.edit", remove, methods=("POST",))


for _args in (("chair", ConferenceChair, "conference_chair_id", "chu-tri"),
              ("point", ConferencePoint, "conference_point_id", "diem-cau"),
              ("invitee", ConferenceInvitee, "conference_invitee_id", "khach-moi")):
    _remove_route(*_args)


part_form_route("add_chair", "chu-tri", "chairs", "chair_form", ChairForm,
                lambda conf, f: service.add_chair(conf, f.name.data, f.title.data, actor=current_user))


def _add_points(conf, f) -> str:
    added = participants.add_points(conf, f.unit_ids.data or [], venue=f.venue.data, contact_name=f.contact_name.data,
                                    contact_phone=f.contact_phone.data, actor=current_user)
    return f"Đã thêm {len(added)} điểm cầu."


part_form_route("add_points", "diem-cau", "points", "points_form", PointsForm, _add_points)
part_form_route("add_invitees", "khach-moi", "invitees", "invitees_form", InviteesForm,
                lambda conf, f: participants.add_invitees(conf, f.unit_ids.data or [], addressee=f.addressee.data,
                                                          actor=current_user))


@bp.route("/khach-moi/<int:conference_invitee_id>/xac-nhan", methods=["GET", "POST"])
@requires("conferences.edit")
def confirm_invitee(conference_invitee_id: int):
    inv = service.load_part_or_404(ConferenceInvitee, conference_invitee_id, current_user)
    access.authorize(current_user, "confirm", inv)
    form = ConfirmInviteeForm(obj=inv)
    if request.method == "GET":
        form.status.data = "confirmed" if inv.pending else inv.status
        form.delegates.data = inv.delegates or 1
    if form.validate_on_submit():
        try:
            participants.confirm(inv, form.status.data, form.delegates.data, form.note.data, actor=current_user)
        except ConferenceError as exc:
            add_error(form, exc.field, exc.message)
        else:
            flash(f"Đã ghi xác nhận của {inv.unit.name}: {inv.status_label}.", "success")
            # organisers and invited units alike can read the conference page
            return redirect_to("conferences.detail", conference_id=inv.conference_id)
    status = 422 if request.method == "POST" else 200
    return render_template("conferences/confirm.html", inv=inv, form=form), status


@bp.route("/khach-moi/<int:conference_invitee_id>/giay-moi.pdf")
@requires("conferences.print")
def invitee_pdf(conference_invitee_id: int):
    inv = service.load_part_or_404(ConferenceInvitee, conference_invitee_id, current_user)
    try:
        data, state = issued.invitee_pdf(inv.conference, inv)
    except ConferenceError as exc:
        abort(exc.status, exc.message)
    return stated(pdf_response(data, f"{prefix(state)}giay-moi-{inv.unit.name}.pdf"), state)


part_form_route("add_item", "chuong-trinh", "items", "item_form", ItemForm,
                lambda conf, f: agenda.add_item(conf, start_time=f.start_time.data, content=f.content.data,
                                                presenter=f.presenter.data, document=f.document.data))


@bp.route("/chuong-trinh/<int:conference_item_id>/xoa", methods=["POST"])
@requires("conferences.edit")
def remove_item(conference_item_id: int):
    item = service.load_part_or_404(ConferenceItem, conference_item_id, current_user, organiser_only=True)
    conf = item.conference
    access.authorize(current_user, "manage", conf)
    agenda.remove_item(item)
    return part(conf, "items")


@bp.route("/chuong-trinh/<int:conference_item_id>/di-chuyen", methods=["POST"])
@requires("conferences.edit")
def move_item(conference_item_id: int):
    item = service.load_part_or_404(ConferenceItem, conference_item_id, current_user, organiser_only=True)
    access.authorize(current_user, "manage", item.conference)
    agenda.move_item(item, "up" if request.form.get("direction") == "up" else "down")
    return part(item.conference, "items")


# ---------------------------------------------------------------- rows edited in place
# "Sửa" turns a row into a small form (GET …/sua); saving returns the row, "Hủy" fetches it again.
# Without htmx the same URLs show the conference page with that row open, and a save redirects.

@dataclass(frozen=True)
class Row:
    model: type
    form: type
    section: str             # the part of the conference page (its template _<section>.html, its anchor)
    endpoint: str            # conferences.<endpoint>_row / conferences.edit_<endpoint>
    arg: str                 # the URL argument naming the row
    path: str                # its URLs: /<path>/<id> and /<path>/<id>/sua
    save: Callable           # (row, form) -> None; raises ConferenceError or StaleEdit


ROWS = {
    "chair": Row(ConferenceChair, ChairEditForm, "chairs", "chair", "conference_chair_id", "chu-tri",
                 lambda ch, f: service.update_chair(ch, f.name.data, f.title.data, version=f.version.data)),
    "point": Row(ConferencePoint, PointEditForm, "points", "point", "conference_point_id", "diem-cau",
                 lambda p, f: participants.update_point(p, venue=f.venue.data, contact_name=f.contact_name.data,
                                                        contact_phone=f.contact_phone.data, version=f.version.data)),
    "item": Row(ConferenceItem, ItemEditForm, "items", "item", "conference_item_id", "chuong-trinh",
                lambda it, f: agenda.update_item(it, start_time=f.start_time.data, content=f.content.data,
                                                 presenter=f.presenter.data, document=f.document.data,
                                                 version=f.version.data)),
}


def _load_row(kind: str, row_id: int):
    obj = service.load_part_or_404(ROWS[kind].model, row_id, current_user, organiser_only=True)
    access.authorize(current_user, "manage", obj.conference)
    return obj


def _row_editor(kind: str, obj, form, message: str = "") -> dict:
    spec = ROWS[kind]
    return dict(kind=kind, row=obj, form=form, message=message,
                save_url=url_for(f"conferences.edit_{spec.endpoint}", **{spec.arg: obj.id}),
                cancel_url=url_for(f"conferences.{spec.endpoint}_row", **{spec.arg: obj.id}))


def _show_row(kind: str, obj, status: int = 200, editor: dict | None = None):
    """The row alone for htmx (as shown, or as its form); the whole page otherwise."""
    spec = ROWS[kind]
    if is_htmx():
        if editor is not None:
            return render_template("conferences/_row_form.html", e=editor), status
        return render_template(f"conferences/_{kind}_row.html", row=obj, conf=obj.conference, organiser=True,
                               n=obj.conference.items.index(obj) + 1 if kind == "item" else None), status
    if editor is None and status < 400:
        return redirect_to("conferences.detail", conference_id=obj.conference_id, _anchor=spec.section)
    return render_template("conferences/detail.html", **detail_context(obj.conference, row_editor=editor)), status


def _edit_row(kind: str, row_id: int):
    obj = _load_row(kind, row_id)
    spec = ROWS[kind]
    prefix = f"{kind}-{obj.id}"     # the add form below has the same fields: ids must differ
    if request.method == "GET":
        return _show_row(kind, obj, editor=_row_editor(kind, obj, spec.form(obj=obj, formdata=None, prefix=prefix)))
    form = spec.form(prefix=prefix)
    status, message = 422, ""
    if form.validate_on_submit():
        try:
            spec.save(obj, form)
        except ConferenceError as exc:
            status = exc.status
            if exc.field in form:
                form[exc.field].errors = [*form[exc.field].errors, exc.message]
            else:
                message = exc.message
        except StaleEdit as exc:
            message, status = exc.message, 409
        else:
            return _show_row(kind, obj)
    return _show_row(kind, obj, status, _row_editor(kind, obj, form, message))


def _row_routes(kind: str, spec: Row) -> None:
    """A row kind's two URLs: its in-place form (…/sua) and the row as shown (what "Hủy" fetches)."""
    url = f"/{spec.path}/<int:{spec.arg}>"

    def edit(**ids: int):
        return _edit_row(kind, ids[spec.arg])

    def show(**ids: int):
        return _show_row(kind, _load_row(kind, ids[spec.arg]))

    edit.__name__, show.__name__ = f"edit_{spec.endpoint}", f"{spec.endpoint}_row"
    bp.add_url_rule(f"{url}/sua", view_func=requires("conferences.edit")(edit), methods=["GET", "POST"])
    bp.add_url_rule(url, view_func=requires("conferences.edit")(show))


for _kind, _spec in ROWS.items():
    _row_routes(_kind, _spec)

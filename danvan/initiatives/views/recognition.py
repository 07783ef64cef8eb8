"""Review: scoring, exemplary models, the numbered decision recognising a batch."""
from __future__ import annotations

from flask import flash, render_template, request
from flask_login import current_user

from danvan.core import access
from danvan.core.access import requires
from danvan.core.formviews import confirmed, form_page, prefill
from danvan.core.htmx import redirect_to
from danvan.core.models import by_name
from danvan.core.vntext import int_or_none, today_local
from danvan.extensions import db
from danvan.initiatives import config, issued, review, search
from danvan.initiatives.config import InitiativeError
from danvan.initiatives.forms import RecognitionForm
from danvan.initiatives.models import Initiative, InitiativeRecognition
from danvan.initiatives.views.common import bp
from danvan.initiatives.views.registrations import detail_context


@bp.route("/<int:initiative_id>/cham-diem", methods=["POST"])
@requires("initiatives.review")
def score(initiative_id: int):
    obj = access.get_scoped_or_404(Initiative, initiative_id, current_user)
    values, bad = {}, []
    for c in config.criteria_of(config.province_of(obj.unit).id):
        raw = (request.form.get(f"score_{c.id}") or "").strip()
        if raw == "":
            values[c.id] = None
            continue
        try:
            values[c.id] = int(raw)
        except ValueError:
            bad.append(f"Điểm «{c.name}» phải là số nguyên.")
            values[c.id] = None
    try:
        if bad:
            raise InitiativeError(" ".join(bad))
        total = review.score(obj, values, actor=current_user)
    except InitiativeError as exc:
        db.session.rollback()
        obj = access.get_scoped_or_404(Initiative, initiative_id, current_user)
        flash(exc.message, "danger")
        return render_template("initiatives/detail.html",
                               **detail_context(obj, scores={k: v for k, v in values.items() if v is not None})), \
            exc.status
    flash(f"Đã chấm điểm: {total}/100.", "success")
    return redirect_to("initiatives.detail", initiative_id=obj.id)


@bp.route("/<int:initiative_id>/tieu-bieu", methods=["POST"])
@requires("initiatives.review")
def exemplary(initiative_id: int):
    obj = access.get_scoped_or_404(Initiative, initiative_id, current_user)
    return confirmed(lambda: review.set_exemplary(obj, request.form.get("exemplary") == "1", actor=current_user),
                     render=lambda status: (render_template("initiatives/detail.html", **detail_context(obj)), status),
                     message=lambda _: "Đã chọn là mô hình tiêu biểu để giới thiệu tại hội nghị." if obj.exemplary
                     else "Đã bỏ chọn tiêu biểu.",
                     done=lambda _: redirect_to("initiatives.detail", initiative_id=obj.id))


@bp.route("/cong-nhan", methods=["GET", "POST"])
@requires("initiatives.review")
def recognise():
    year = int_or_none(request.values.get("year")) or today_local().year
    form = prefill(RecognitionForm(), year=year, decided_on=today_local())

    def save() -> InitiativeRecognition:
        decision = review.recognise(current_user, form.initiative_ids.data or [], year=form.year.data,
                                    decided_on=form.decided_on.data, title=form.title.data)
        issued.freeze(decision, actor=current_user)   # the QĐ as issued: PDF, DOCX, its list
        return decision

    return form_page(form, save, render=lambda status: _recognise_page(form, year, status),
                     message=lambda decision: f"Đã ban hành Quyết định số {decision.number_text} công nhận "
                                              f"{len(form.initiative_ids.data)} mô hình.",
                     done=lambda decision: redirect_to("initiatives.decision", recognition_id=decision.id))


def _recognise_page(form: RecognitionForm, year: int, status: int):
    if status >= 400:
        db.session.rollback()   # a refused decision takes no number and changes no registration
    candidates = review.recognisable(current_user, year)
    decisions = db.session.scalars(access.scoped(
        db.select(InitiativeRecognition).where(InitiativeRecognition.year == year), InitiativeRecognition.unit_id,
        current_user).order_by(InitiativeRecognition.decided_on.desc())).all()
    return render_template("initiatives/recognise.html", form=form, candidates=candidates, year=year,
                           years=search.years_in_scope(current_user), decisions=decisions), status


@bp.route("/cong-nhan/<int:recognition_id>")
@requires("initiatives.view")
def decision(recognition_id: int):
    decision = access.get_scoped_or_404(InitiativeRecognition, recognition_id, current_user)
    items = db.session.scalars(access.scoped(
        db.select(Initiative).where(Initiative.recognition_id == decision.id), Initiative.unit_id, current_user)
        .order_by(Initiative.unit_id, by_name(Initiative), Initiative.id)).all()
    return render_template("initiatives/decision.html", decision=decision, items=items,
                           record=issued.record_of(decision))

"""Tham luận: the organiser asks units for papers, a unit sends its paper, the organiser reviews and schedules."""
from __future__ import annotations

from collections.abc import Callable

from flask import flash, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from danvan.core import access
from danvan.core.access import requires
from danvan.core.files import attachments_of
from danvan.core.forms import add_error
from danvan.core.htmx import redirect_to

from .. import contributions, service
from ..forms import InviteContributionsForm, ReviewForm, SubmitContributionForm
from ..models import ConferenceContribution
from ..service import ConferenceError
from .page import bp, part_form_route


def _invite(conf, f) -> str:
    added = contributions.invite_contributions(conf, f.unit_ids.data or [], topic=f.topic.data,
                                               deadline=f.deadline.data, actor=current_user)
    return f"Đã đề nghị {len(added)} đơn vị gửi tham luận."


part_form_route("invite_contributions", "tham-luan", "contributions", "contrib_form", InviteContributionsForm, _invite)


@bp.route("/tham-luan/<int:conference_contribution_id>", methods=["GET", "POST"])
@requires("conferences.view")
def contribution(conference_contribution_id: int):
    c = service.load_part_or_404(ConferenceContribution, conference_contribution_id, current_user)
    form = SubmitContributionForm(obj=c)
    status = 200
    if request.method == "POST":
        access.authorize(current_user, "write", c)
        if form.validate_on_submit():
            try:
                contributions.submit_contribution(c, title=form.title.data, presenter=form.presenter.data,
                                                  upload=request.files.get("file"), actor=current_user)
            except ConferenceError as exc:
                add_error(form, exc.field, exc.message)
                status = exc.status
            else:
                flash("Đã gửi tham luận.", "success")
                return redirect_to("conferences.contribution", conference_contribution_id=c.id)
        status = status if status != 200 else 422
    files = attachments_of(contributions.CONTRIBUTION_OWNER, [c.id])[c.id]
    return render_template("conferences/contribution.html", c=c, form=form, review_form=ReviewForm(),
                           files=files), status


@bp.route("/tham-luan/<int:conference_contribution_id>/xet", methods=["POST"])
@requires("conferences.edit")
def review_contribution(conference_contribution_id: int):
    c = service.load_part_or_404(ConferenceContribution, conference_contribution_id, current_user,
                                 organiser_only=True)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            contributions.review_contribution(c, form.decision.data, form.reason.data, actor=current_user)
        except ConferenceError as exc:
            flash(exc.message, "danger")
            return redirect_to("conferences.contribution", conference_contribution_id=c.id)
        flash(f"Tham luận của {c.unit.name}: {c.state_label}.", "success")
    return redirect_to("conferences.detail", conference_id=c.conference_id, _anchor="contributions")


@bp.route("/tham-luan/<int:conference_contribution_id>/dua-vao-chuong-trinh", methods=["POST"])
@requires("conferences.edit")
def schedule_contribution(conference_contribution_id: int):
    def schedule(c: ConferenceContribution) -> str:
        contributions.schedule_contribution(c)
        return "Đã đưa tham luận vào chương trình."

    return _organiser_step(conference_contribution_id, "items", schedule)


@bp.route("/tham-luan/<int:conference_contribution_id>/rut", methods=["POST"])
@requires("conferences.edit")
def withdraw_contribution(conference_contribution_id: int):
    def withdraw(c: ConferenceContribution) -> str:
        contributions.withdraw_contribution(c, actor=current_user)
        return f"Đã rút đề nghị tham luận của {c.unit.name}."

    return _organiser_step(conference_contribution_id, "contributions", withdraw)


def _organiser_step(conference_contribution_id: int, anchor: str,
                    step: Callable[[ConferenceContribution], str]) -> ResponseReturnValue:
    """One organiser button on a contribution: `step` returns the success message; a refusal is
    flashed; either way back to the conference page at `anchor`."""
    c = service.load_part_or_404(ConferenceContribution, conference_contribution_id, current_user,
                                 organiser_only=True)
    try:
        message = step(c)
    except ConferenceError as exc:
        flash(exc.message, "danger")
    else:
        flash(message, "success")
    return redirect_to("conferences.detail", conference_id=c.conference_id, _anchor=anchor)

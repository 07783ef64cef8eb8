"""The conferences blueprint and the conference page that every part re-renders after a change."""
from __future__ import annotations

from collections.abc import Callable

from flask import flash, render_template
from flask_login import current_user

from danvan.core import access, nav, panels
from danvan.core.files import attachments_of
from danvan.core.forms import add_error
from danvan.core.htmx import is_htmx, redirect_to
from danvan.core.units import levels_under, scope_root

from .. import contributions, documents, issued, participants, service
from ..forms import (
    ChairForm,
    ConclusionForm,
    InviteContributionsForm,
    InviteesForm,
    ItemForm,
    PointsForm,
)
from ..models import DOCUMENTS, LISTS
from ..panel import panel_context
from ..service import ConferenceError

bp = nav.blueprint("conferences", __name__, "Hội nghị", "conferences.view", 50, url_prefix="/hoi-nghi")
panels.register("conferences", "conferences/_panel.html", panel_context, 35)


def load_managed_or_404(conference_id: int):
    """A conference of the user's tree (else 404) that the user may manage (else 403)."""
    conf = service.load_conference_or_404(conference_id, current_user)
    access.authorize(current_user, "manage", conf)
    return conf


def detail_context(conf, is_organiser: bool | None = None, **forms) -> dict:
    """The page of a conference. A participating unit (not the organiser's tree) sees only its own
    invitations and tham luận, and no organiser controls."""
    if is_organiser is None:
        is_organiser = service.organises(current_user, conf)
    invitees, papers = service.visible_parts(conf, current_user, is_organiser)
    ctx = dict(conf=conf, candidates=participants.candidate_units(conf) if is_organiser else [],
               picker_levels=levels_under(scope_root(conf.unit)) if is_organiser else [],
               files=attachments_of(contributions.CONTRIBUTION_OWNER, [c.id for c in papers]),
               DOCUMENTS=DOCUMENTS, LISTS=LISTS, participant=not is_organiser, invitees=invitees,
               attendance=participants.attendance(invitees),
               records=issued.in_force(conf), not_following=issued.not_following(conf) if is_organiser else [],
               signer_forms=issued.signer_forms(conf) if is_organiser else {},
               report=documents.main_report(conf),
               contributions=papers, public_document=service.public_document,
               organiser=access.can(current_user, "manage", conf),
               chair_form=ChairForm(), points_form=PointsForm(), invitees_form=InviteesForm(),
               item_form=ItemForm(), contrib_form=InviteContributionsForm(),
               conclusion_form=ConclusionForm(conclusion=conf.conclusion), row_editor=None)
    ctx.update(forms)
    return ctx


def part(conf, name: str, status: int = 200, **forms):
    """The updated fragment for htmx, else back to the page (303) or the page with errors."""
    ctx = detail_context(conf, **forms)
    if is_htmx():
        return render_template(f"conferences/_{name}.html", **ctx), status
    if status >= 400:
        return render_template("conferences/detail.html", **ctx), status
    return redirect_to("conferences.detail", conference_id=conf.id, _anchor=name)


def part_form_route(endpoint: str, path: str, name: str, form_key: str, form_class: type,
                    save: Callable[[object, object], object]) -> None:
    """POST /<conference_id>/<path> (endpoint `endpoint`, conferences.edit): one htmx part form of the page of
    a conference the user manages. Validate, `save(conf, form)` (a text it returns is flashed on a full page),
    then the part `name` again with an empty form (context key `form_key`), or with the errors (422)."""

    def add(conference_id: int):
        conf = load_managed_or_404(conference_id)
        form = form_class()
        if form.validate_on_submit():
            try:
                message = save(conf, form)
            except ConferenceError as exc:
                add_error(form, exc.field, exc.message)
            else:
                if isinstance(message, str) and not is_htmx():
                    flash(message, "success")
                return part(conf, name, **{form_key: form_class(formdata=None)})
        return part(conf, name, 422, **{form_key: form})

    access.route(bp, f"/<int:conference_id>/{path}", endpoint, "conferences.edit", add, methods=("POST",))


def prefix(state: str) -> str:
    return "du-thao-" if state == "draft" else ""


def stated(response, state: str):
    """The download says which state it shows: a draft rendered now, or the issued number's stored bytes."""
    response.headers["X-Document-State"] = state
    return response

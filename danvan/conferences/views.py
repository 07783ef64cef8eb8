"""Conferences: list, create, điểm cầu, invitees, agenda, tham luận, conclusion, documents."""
from __future__ import annotations

from flask import Blueprint, abort, flash, render_template, request
from flask_login import current_user

from danvan.core import access, nav, panels, signers
from danvan.core.access import requires
from danvan.core.files import attachments_of
from danvan.core.forms import add_error
from danvan.core.htmx import empty, is_htmx, redirect_to, render_page_or_partial
from danvan.core.models import StaleEdit
from danvan.core.pagination import paginate
from danvan.core.units import Unit, subtree
from danvan.core.vntext import to_local
from danvan.extensions import db
from danvan.printing import file_response, pdf_response

from . import documents, issued, service
from .forms import (
    ChairForm,
    ConclusionForm,
    ConferenceForm,
    ConfirmInviteeForm,
    InviteContributionsForm,
    InviteesForm,
    ItemForm,
    PointsForm,
    ReviewForm,
    SubmitContributionForm,
)
from .models import (
    DOCUMENTS,
    ConferenceChair,
    ConferenceContribution,
    ConferenceInvitee,
    ConferenceItem,
    ConferencePoint,
)
from .service import ConferenceError

bp = Blueprint("conferences", __name__, url_prefix="/hoi-nghi")
nav.register("Hội nghị", "conferences.index", "conferences.view", 50)
panels.register("conferences", "conferences/_panel.html", service.panel_context, 35)

LISTS = {"dai-bieu": "Danh sách đại biểu", "diem-cau": "Danh sách điểm cầu"}
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"



def _organiser_units() -> list[tuple[int, str]]:
    root = current_user.scope
    return [(u.id, f"{'— ' * (u.depth - root.depth)}{u.name}") for u in db.session.scalars(subtree(root))
            if u.code and u.kind != "thon"]


def _check_organiser(conf) -> None:
    if not service.organises(current_user, conf) or not access.can(current_user, "conferences.edit", conf):
        abort(403)


# ---------------------------------------------------------------- list, create, edit

@bp.route("/")
@requires("conferences.view")
def index():
    q = request.args.get("q", "")
    page = paginate(service.search(current_user, q))
    ctx = dict(page=page, q=q, invitations=service.invitations_for(current_user),
               contributions=service.contributions_for(current_user),
               participating=service.participating(current_user))
    return render_page_or_partial("conferences/index.html", "conferences/_rows.html", **ctx)


def _form_data(form) -> dict:
    return {name: f.data for name, f in form._fields.items()}


@bp.route("/moi", methods=["GET", "POST"])
@requires("conferences.edit")
def new():
    form = ConferenceForm()
    form.unit_id.choices = _organiser_units()
    if request.method == "GET":
        form.unit_id.data = current_user.unit_id
        # the issuing unit's leader signs, not the officer who drafts
        signer = signers.default_signer(current_user.unit)
        form.signer_authority.data = signer["signer_authority"]
        form.signer_title.data, form.signer_name.data = signer["signer_title"], signer["signer_name"]
        form.recipients.data = "\n".join(signer["recipients"])
    if form.validate_on_submit():
        unit = db.session.get(Unit, form.unit_id.data or 0)
        try:
            conf = service.create(unit, _form_data(form), actor=current_user) if unit else None
            if conf is None:
                raise ConferenceError("Chọn đơn vị tổ chức.", "unit_id")
        except ConferenceError as exc:
            add_error(form, exc.field, exc.message)
        else:
            flash("Đã tạo hội nghị.", "success")
            return redirect_to("conferences.detail", conference_id=conf.id)
    status = 422 if request.method == "POST" else 200
    return render_template("conferences/form.html", form=form, conf=None), status


@bp.route("/<int:conference_id>/sua", methods=["GET", "POST"])
@requires("conferences.edit")
def edit(conference_id: int):
    conf = service.load_conference_or_404(conference_id, current_user)
    _check_organiser(conf)
    form = ConferenceForm(obj=conf)
    form.unit_id.choices = [(conf.unit_id, conf.unit.name)]
    status = 200
    if request.method == "GET":
        start, end = to_local(conf.starts_at), to_local(conf.ends_at)
        form.day.data, form.start.data = start.date(), start.time().replace(tzinfo=None)
        form.end_day.data, form.end.data = end.date(), end.time().replace(tzinfo=None)
        form.version.data = conf.version
    elif form.validate_on_submit():
        try:
            service.update(conf, _form_data(form), actor=current_user)
        except ConferenceError as exc:
            add_error(form, exc.field, exc.message)
        except StaleEdit as exc:
            flash(exc.message, "danger")
            status = 409
        else:
            flash("Đã lưu hội nghị.", "success")
            return redirect_to("conferences.detail", conference_id=conf.id)
    if request.method == "POST" and status == 200:
        status = 422
    return render_template("conferences/form.html", form=form, conf=conf), status


@bp.route("/<int:conference_id>/luu-tru", methods=["POST"])
@requires("conferences.edit")
def archive(conference_id: int):
    conf = service.load_conference_or_404(conference_id, current_user)
    _check_organiser(conf)
    service.archive(conf, actor=current_user)
    flash(f"Đã lưu trữ hội nghị «{conf.title}».", "success")
    return redirect_to("conferences.index")


def _detail_context(conf, is_organiser: bool | None = None, **forms) -> dict:
    """The page of a conference. A participating unit (not the organiser's tree) sees only its own
    invitations and tham luận, and no organiser controls."""
    if is_organiser is None:
        is_organiser = service.organises(current_user, conf)
    candidates = service.candidate_units(conf) if is_organiser else []
    invitees, contributions = conf.invitees, conf.contributions
    if not is_organiser:
        invitees = [i for i in invitees if access.in_scope(current_user, i.unit)]
        contributions = [c for c in contributions if access.in_scope(current_user, c.unit)]
    files = attachments_of(service.CONTRIBUTION_OWNER, [c.id for c in contributions])
    ctx = dict(conf=conf, candidates=candidates, files=files, DOCUMENTS=DOCUMENTS, LISTS=LISTS,
               records=issued.in_force(conf), not_following=issued.not_following(conf) if is_organiser else [],
               participant=not is_organiser, invitees=invitees, contributions=contributions,
               public_document=service.public_document,
               organiser=is_organiser and access.can(current_user, "conferences.edit"),
               chair_form=ChairForm(), points_form=PointsForm(), invitees_form=InviteesForm(),
               item_form=ItemForm(), contrib_form=InviteContributionsForm(),
               conclusion_form=ConclusionForm(conclusion=conf.conclusion), started=service.started(conf))
    ctx.update(forms)
    return ctx


@bp.route("/<int:conference_id>")
@requires("conferences.view")
def detail(conference_id: int):
    conf, is_organiser = service.load_conference_for_reader_or_404(conference_id, current_user)
    return render_template("conferences/detail.html", **_detail_context(conf, is_organiser))


# ---------------------------------------------------------------- parts edited in place (htmx)

def _part(conf, name: str, status: int = 200, **forms):
    """The updated fragment for htmx, else back to the page (303) or the page with errors."""
    ctx = _detail_context(conf, **forms)
    if is_htmx():
        return render_template(f"conferences/_{name}.html", **ctx), status
    if status >= 400:
        return render_template("conferences/detail.html", **ctx), status
    return redirect_to("conferences.detail", conference_id=conf.id, _anchor=name)


@bp.route("/<int:conference_id>/chu-tri", methods=["POST"])
@requires("conferences.edit")
def add_chair(conference_id: int):
    conf = service.load_conference_or_404(conference_id, current_user)
    _check_organiser(conf)
    form = ChairForm()
    if form.validate_on_submit():
        try:
            service.add_chair(conf, form.name.data, form.title.data, actor=current_user)
            return _part(conf, "chairs")
        except ConferenceError as exc:
            add_error(form, exc.field, exc.message)
    return _part(conf, "chairs", 422, chair_form=form)


@bp.route("/chu-tri/<int:conference_chair_id>/xoa", methods=["POST"])
@requires("conferences.edit")
def remove_chair(conference_chair_id: int):
    chair = service.load_part_or_404(ConferenceChair, conference_chair_id, current_user, organiser_only=True)
    conf = chair.conference
    service.remove(chair)
    return empty() if is_htmx() else redirect_to("conferences.detail", conference_id=conf.id)


@bp.route("/<int:conference_id>/diem-cau", methods=["POST"])
@requires("conferences.edit")
def add_points(conference_id: int):
    conf = service.load_conference_or_404(conference_id, current_user)
    _check_organiser(conf)
    form = PointsForm()
    if form.validate_on_submit():
        try:
            added = service.add_points(conf, form.unit_ids.data or [], venue=form.venue.data,
                                       contact_name=form.contact_name.data, contact_phone=form.contact_phone.data,
                                       actor=current_user)
            if not is_htmx():
                flash(f"Đã thêm {len(added)} điểm cầu.", "success")
            return _part(conf, "points", points_form=PointsForm(formdata=None))
        except ConferenceError as exc:
            add_error(form, exc.field, exc.message)
    return _part(conf, "points", 422, points_form=form)


@bp.route("/diem-cau/<int:conference_point_id>/xoa", methods=["POST"])
@requires("conferences.edit")
def remove_point(conference_point_id: int):
    point = service.load_part_or_404(ConferencePoint, conference_point_id, current_user, organiser_only=True)
    conf = point.conference
    service.remove(point)
    return empty() if is_htmx() else redirect_to("conferences.detail", conference_id=conf.id)


@bp.route("/<int:conference_id>/khach-moi", methods=["POST"])
@requires("conferences.edit")
def add_invitees(conference_id: int):
    conf = service.load_conference_or_404(conference_id, current_user)
    _check_organiser(conf)
    form = InviteesForm()
    if form.validate_on_submit():
        try:
            service.add_invitees(conf, form.unit_ids.data or [], addressee=form.addressee.data, actor=current_user)
            return _part(conf, "invitees", invitees_form=InviteesForm(formdata=None))
        except ConferenceError as exc:
            add_error(form, exc.field, exc.message)
    return _part(conf, "invitees", 422, invitees_form=form)


@bp.route("/khach-moi/<int:conference_invitee_id>/xoa", methods=["POST"])
@requires("conferences.edit")
def remove_invitee(conference_invitee_id: int):
    inv = service.load_part_or_404(ConferenceInvitee, conference_invitee_id, current_user, organiser_only=True)
    conf = inv.conference
    service.remove(inv)
    return empty() if is_htmx() else redirect_to("conferences.detail", conference_id=conf.id)


@bp.route("/khach-moi/<int:conference_invitee_id>/xac-nhan", methods=["GET", "POST"])
@requires("conferences.edit")
def confirm_invitee(conference_invitee_id: int):
    inv = service.load_part_or_404(ConferenceInvitee, conference_invitee_id, current_user)
    form = ConfirmInviteeForm(obj=inv)
    if request.method == "GET":
        form.status.data = "confirmed" if inv.status == "pending" else inv.status
        form.delegates.data = inv.delegates or 1
    if form.validate_on_submit():
        try:
            service.confirm(inv, form.status.data, form.delegates.data, form.note.data, actor=current_user)
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
    return _stated(pdf_response(data, f"{_prefix(state)}giay-moi-{inv.unit.name}.pdf"), state)


@bp.route("/<int:conference_id>/chuong-trinh", methods=["POST"])
@requires("conferences.edit")
def add_item(conference_id: int):
    conf = service.load_conference_or_404(conference_id, current_user)
    _check_organiser(conf)
    form = ItemForm()
    if form.validate_on_submit():
        try:
            service.add_item(conf, start_time=form.start_time.data, content=form.content.data,
                             presenter=form.presenter.data, document=form.document.data)
            return _part(conf, "items", item_form=ItemForm(formdata=None))
        except ConferenceError as exc:
            add_error(form, exc.field, exc.message)
    return _part(conf, "items", 422, item_form=form)


@bp.route("/chuong-trinh/<int:conference_item_id>/xoa", methods=["POST"])
@requires("conferences.edit")
def remove_item(conference_item_id: int):
    item = service.load_part_or_404(ConferenceItem, conference_item_id, current_user, organiser_only=True)
    conf = item.conference
    conf.items.remove(item)
    db.session.flush()
    return _part(conf, "items")


@bp.route("/chuong-trinh/<int:conference_item_id>/di-chuyen", methods=["POST"])
@requires("conferences.edit")
def move_item(conference_item_id: int):
    item = service.load_part_or_404(ConferenceItem, conference_item_id, current_user, organiser_only=True)
    service.move_item(item, "up" if request.form.get("direction") == "up" else "down")
    return _part(item.conference, "items")


# ---------------------------------------------------------------- tham luận

@bp.route("/<int:conference_id>/tham-luan", methods=["POST"])
@requires("conferences.edit")
def invite_contributions(conference_id: int):
    conf = service.load_conference_or_404(conference_id, current_user)
    _check_organiser(conf)
    form = InviteContributionsForm()
    if form.validate_on_submit():
        try:
            added = service.invite_contributions(conf, form.unit_ids.data or [], topic=form.topic.data,
                                                 deadline=form.deadline.data, actor=current_user)
            if not is_htmx():
                flash(f"Đã đề nghị {len(added)} đơn vị gửi tham luận.", "success")
            return _part(conf, "contributions", contrib_form=InviteContributionsForm(formdata=None))
        except ConferenceError as exc:
            add_error(form, exc.field, exc.message)
    return _part(conf, "contributions", 422, contrib_form=form)


@bp.route("/tham-luan/<int:conference_contribution_id>", methods=["GET", "POST"])
@requires("conferences.view")
def contribution(conference_contribution_id: int):
    c = service.load_part_or_404(ConferenceContribution, conference_contribution_id, current_user)
    form = SubmitContributionForm(obj=c)
    status = 200
    if request.method == "POST":
        if not access.can(current_user, "conferences.edit", c):
            abort(403)
        if form.validate_on_submit():
            try:
                service.submit_contribution(c, title=form.title.data, presenter=form.presenter.data,
                                            upload=request.files.get("file"), actor=current_user)
            except ConferenceError as exc:
                add_error(form, exc.field, exc.message)
                status = exc.status
            else:
                flash("Đã gửi tham luận.", "success")
                return redirect_to("conferences.contribution", conference_contribution_id=c.id)
        status = status if status != 200 else 422
    files = attachments_of(service.CONTRIBUTION_OWNER, [c.id])[c.id]
    return render_template("conferences/contribution.html", c=c, form=form, review_form=ReviewForm(),
                           files=files, organiser=service.organises(current_user, c.conference),
                           can_submit=access.can(current_user, "conferences.edit", c)
                           and c.state in ("invited", "returned")), status


@bp.route("/tham-luan/<int:conference_contribution_id>/xet", methods=["POST"])
@requires("conferences.edit")
def review_contribution(conference_contribution_id: int):
    c = service.load_part_or_404(ConferenceContribution, conference_contribution_id, current_user,
                                 organiser_only=True)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            service.review_contribution(c, form.decision.data, form.reason.data, actor=current_user)
        except ConferenceError as exc:
            flash(exc.message, "danger")
            return redirect_to("conferences.contribution", conference_contribution_id=c.id)
        flash(f"Tham luận của {c.unit.name}: {c.state_label}.", "success")
    return redirect_to("conferences.detail", conference_id=c.conference_id, _anchor="contributions")


@bp.route("/tham-luan/<int:conference_contribution_id>/dua-vao-chuong-trinh", methods=["POST"])
@requires("conferences.edit")
def schedule_contribution(conference_contribution_id: int):
    c = service.load_part_or_404(ConferenceContribution, conference_contribution_id, current_user,
                                 organiser_only=True)
    try:
        service.schedule_contribution(c)
    except ConferenceError as exc:
        flash(exc.message, "danger")
    else:
        flash("Đã đưa tham luận vào chương trình.", "success")
    return redirect_to("conferences.detail", conference_id=c.conference_id, _anchor="items")


# ---------------------------------------------------------------- conclusion, documents

@bp.route("/<int:conference_id>/ket-luan", methods=["POST"])
@requires("conferences.edit")
def conclude(conference_id: int):
    conf = service.load_conference_or_404(conference_id, current_user)
    _check_organiser(conf)
    form = ConclusionForm()
    if form.validate_on_submit():
        try:
            service.conclude(conf, form.conclusion.data, actor=current_user)
        except ConferenceError as exc:
            flash(exc.message, "danger")
        else:
            flash("Đã ghi kết luận hội nghị.", "success")
            return redirect_to("conferences.detail", conference_id=conf.id, _anchor="conclusion")
    return render_template("conferences/detail.html", **_detail_context(conf, conclusion_form=form)), 422


def _doc_key(conference_doc: str) -> str:
    if conference_doc not in DOCUMENTS:
        abort(404)
    return conference_doc


@bp.route("/<int:conference_id>/ban-hanh/<conference_doc>", methods=["POST"])
@requires("conferences.edit")
def issue(conference_id: int, conference_doc: str):
    conf = service.load_conference_or_404(conference_id, current_user)
    _check_organiser(conf)
    try:
        record = issued.issue(conf, _doc_key(conference_doc), actor=current_user)
    except ConferenceError as exc:
        flash(exc.message, "danger")
    else:
        flash(f"Đã cấp số {record.number_text} cho {DOCUMENTS[record.doc_key][0].lower()}; "
              "bản PDF và Word đã được lưu, số này luôn in đúng bản đã ban hành.", "success")
    return redirect_to("conferences.detail", conference_id=conf.id, _anchor="documents")


@bp.route("/<int:conference_id>/thay-the/<conference_doc>", methods=["POST"])
@requires("conferences.edit")
def replace(conference_id: int, conference_doc: str):
    conf = service.load_conference_or_404(conference_id, current_user)
    _check_organiser(conf)
    try:
        record = issued.replace(conf, _doc_key(conference_doc), actor=current_user)
    except ConferenceError as exc:
        flash(exc.message, "danger")
    else:
        flash(f"Đã ban hành văn bản thay thế số {record.number_text}; văn bản cũ được giữ và ghi "
              f"“đã được thay thế bởi số {record.number_text}”.", "success")
    return redirect_to("conferences.detail", conference_id=conf.id, _anchor="documents")


def _prefix(state: str) -> str:
    return "du-thao-" if state == "draft" else ""


def _stated(response, state: str):
    # The download says which state it shows: a draft rendered now, or the bytes of the issued number.
    response.headers["X-Document-State"] = state
    return response


def _readable_document(conference_id: int, conference_doc: str):
    """The organiser prints every document; a participating unit only the public ones (else 404)."""
    conf, is_organiser = service.load_conference_for_reader_or_404(conference_id, current_user)
    key = _doc_key(conference_doc)
    if not is_organiser and not service.public_document(conf, key):
        abort(404)
    return conf, key


@bp.route("/<int:conference_id>/in/<conference_doc>.pdf")
@requires("conferences.print")
def document_pdf(conference_id: int, conference_doc: str):
    conf, key = _readable_document(conference_id, conference_doc)
    data, state = issued.pdf(conf, key)
    return _stated(pdf_response(data, f"{_prefix(state)}{conference_doc}-{conf.id}.pdf"), state)


@bp.route("/<int:conference_id>/word/<conference_doc>.docx")
@requires("conferences.print")
def document_docx(conference_id: int, conference_doc: str):
    conf, key = _readable_document(conference_id, conference_doc)
    data, state = issued.docx(conf, key)
    return _stated(file_response(data, f"{_prefix(state)}{conference_doc}-{conf.id}.docx", DOCX_MIME), state)


@bp.route("/<int:conference_id>/bo-tai-lieu.pdf")
@requires("conferences.print")
def packet_pdf(conference_id: int):
    conf = service.load_conference_or_404(conference_id, current_user)
    return pdf_response(issued.packet(conf), f"bo-tai-lieu-hoi-nghi-{conf.id}.pdf")


@bp.route("/<int:conference_id>/excel/<conference_list>.xlsx")
@requires("conferences.print")
def list_xlsx(conference_id: int, conference_list: str):
    conf, is_organiser = service.load_conference_for_reader_or_404(conference_id, current_user)
    if conference_list not in LISTS or (not is_organiser and conference_list != "diem-cau"):
        abort(404)   # the list of delegates (others' replies) stays with the organiser
    data = documents.invitees_xlsx(conf) if conference_list == "dai-bieu" else documents.points_xlsx(conf)
    return file_response(data, f"{conference_list}-{conf.id}.xlsx", XLSX_MIME)

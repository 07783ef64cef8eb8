"""Inspection plans (kế hoạch kiểm tra): schedule visits of units in the organiser's subtree, name
the team, print the plan through the plans workflow (KH, numbered on approval), then issue it:
the inspected units are notified, see their visit and get a call for their report.

Who sees a visit (the SQL in `visible()` and the policy in core/policies/inspections.py agree):
its team; the organiser's side (leaders, officers, viewers whose scope holds the organiser);
the inspected side (the same roles whose scope holds the inspected unit) once the plan is issued.
An inspector who is on no team of a visit does not see it.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import sqlalchemy as sa

from danvan.auth.models import User, UserRole
from danvan.core import access, audit
from danvan.core.errors import checked_text
from danvan.core.models import by_name
from danvan.core.units import ADVISORY_KINDS, Unit, in_subtree, scope_root
from danvan.core.vntext import fmt_date, now_utc, today_local
from danvan.extensions import db
from danvan.notifications import service as notifications

from . import checklists, report_call
from .errors import InspectionError
from .models import Inspection, InspectionMember, InspectionPlan, Recommendation

READER_ROLES = frozenset({"admin", "leader", "officer", "viewer"})
MAX_TEAM = 15


def scope_units(user) -> sa.Select:
    """Ids of the units in the user's committee's subtree (the visits and recommendations it organises)."""
    return sa.select(Unit.id).where(in_subtree(scope_root(user.unit)))


def visible(user) -> sa.Select:
    """Visits the user may see (see the module docstring)."""
    conds = [Inspection.id.in_(sa.select(InspectionMember.inspection_id).where(InspectionMember.user_id == user.id))]
    if user.roles & READER_ROLES:
        issued = sa.select(InspectionPlan.id).where(InspectionPlan.state == "issued")
        conds += [Inspection.organiser_id.in_(scope_units(user)),
                  sa.and_(Inspection.unit_id.in_(scope_units(user)), Inspection.plan_id.in_(issued))]
    return sa.select(Inspection).where(sa.or_(*conds))


def visibility_key(user) -> str:
    """What `visible(user)` depends on, for cache keys: the team memberships are the user's own, so
    the key names the user (and the scope and reader roles, which change without a data write)."""
    return f"{user.id}:{scope_root(user.unit).id}:{'r' if user.roles & READER_ROLES else 't'}"


def plans_visible(user) -> sa.Select:
    return sa.select(InspectionPlan).where(InspectionPlan.unit_id.in_(scope_units(user)))


MAX_ID = 2**31 - 1


def load_inspection_or_404(inspection_id: int, user) -> Inspection:
    return access.one_or_404(visible(user), Inspection, inspection_id)


def load_plan_or_404(plan_id: int, user) -> InspectionPlan:
    return access.one_or_404(plans_visible(user), InspectionPlan, plan_id)


# plans ------------------------------------------------------------------------------

def _year(value) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise InspectionError("Năm phải là số có 4 chữ số.", "year") from None
    if not 2000 <= year <= 2100:
        raise InspectionError("Năm phải trong khoảng 2000–2100.", "year")
    return year


def create_plan(unit: Unit, data: dict, *, actor) -> InspectionPlan:
    title = checked_text(data.get("title"), "title", "Tên kế hoạch", 300, required="Nhập tên kế hoạch kiểm tra.",
                         error=InspectionError)
    purpose = checked_text(data.get("purpose"), "purpose", "Mục đích, yêu cầu", 20000, error=InspectionError)
    plan = InspectionPlan(unit=unit, year=_year(data.get("year")), title=title, purpose=purpose,
                          created_by_id=getattr(actor, "id", None))
    db.session.add(plan)
    db.session.flush()
    return plan


def inspectable_units(plan: InspectionPlan) -> sa.Select:
    """Open units strictly under the organiser's committee (bans are not inspected)."""
    root = scope_root(plan.unit)
    return (sa.select(Unit).where(in_subtree(root), Unit.id != root.id, Unit.valid_to.is_(None),
                                  Unit.kind.notin_(ADVISORY_KINDS)).order_by(Unit.path))


def inspectors_for(plan: InspectionPlan) -> sa.Select:
    """Active users with the inspector role serving the organiser's committee."""
    root = scope_root(plan.unit)
    return (sa.select(User).where(User.active.is_(True), User.unit_id.in_(sa.select(Unit.id).where(in_subtree(root))),
                                  User.id.in_(sa.select(UserRole.user_id).where(UserRole.role == "inspector")))
            .order_by(by_name(User), User.id))


def add_inspection(plan: InspectionPlan, data: dict, *, actor) -> Inspection:
    """Schedule a visit: unit, date, content, checklist, team (inspectors) and named guests."""
    if plan.state != "draft":
        raise InspectionError("Kế hoạch đã ban hành: không thêm cuộc kiểm tra được nữa.", None, 409)
    doc = document_of(plan)
    if doc is not None and doc.state not in ("draft", "returned"):
        raise InspectionError("Văn bản kế hoạch đã gửi duyệt: lịch kiểm tra phải giữ như văn bản.", None, 409)
    unit = db.session.get(Unit, data.get("unit_id") or 0)
    if unit is None or db.session.scalar(inspectable_units(plan).where(Unit.id == unit.id)) is None:
        raise InspectionError("Chọn đơn vị được kiểm tra trong phạm vi đơn vị mình.", "unit_id")
    day = data.get("scheduled_on")
    if not isinstance(day, date):
        raise InspectionError("Nhập ngày kiểm tra (dd/mm/yyyy).", "scheduled_on")
    if day.year != plan.year:
        raise InspectionError(f"Ngày kiểm tra phải trong năm {plan.year} của kế hoạch.", "scheduled_on")
    due = data.get("report_due") or day - timedelta(days=3)
    if not isinstance(due, date) or due > day:
        raise InspectionError("Hạn nộp báo cáo phải trước hoặc đúng ngày kiểm tra.", "report_due")
    content = checked_text(data.get("content"), "content", "Nội dung kiểm tra", 10000,
                           required="Nhập nội dung kiểm tra.", error=InspectionError)
    guests = checked_text(data.get("guests"), "guests", "Khách mời", 2000, error=InspectionError)
    team = _team(plan, data.get("member_ids") or [])
    template = _template(plan, data.get("template_id"), actor)
    return new_inspection(plan, unit, day, due=due, content=content, guests=guests, team=team, template=template,
                          previous_id=_previous(unit.id, day))


def new_inspection(plan: InspectionPlan, unit: Unit, day: date, *, due: date, content: str, template,
                   guests: str = "", team: Sequence[User] = (), previous_id: int | None = None) -> Inspection:
    """The visit, its team and its checklist copied from `template`, added to the session; the
    inputs are already checked (`add_inspection`)."""
    insp = Inspection(plan=plan, organiser_id=plan.unit_id, unit=unit, year=plan.year, scheduled_on=day,
                      report_due=due, content=content, guests=guests, template_id=template.id,
                      previous_id=previous_id)
    db.session.add(insp)
    insp.members = [InspectionMember(user_id=u.id, position=i) for i, u in enumerate(team)]
    checklists.copy_into(insp, template)
    db.session.flush()
    return insp


def _team(plan: InspectionPlan, ids) -> list[User]:
    try:
        wanted = [int(i) for i in ids]
    except (TypeError, ValueError):
        raise InspectionError("Thành viên đoàn không hợp lệ.", "member_ids") from None
    if not wanted:
        raise InspectionError("Chọn ít nhất một thành viên đoàn kiểm tra (người có vai trò kiểm tra).", "member_ids")
    if len(set(wanted)) > MAX_TEAM:
        raise InspectionError(f"Đoàn kiểm tra tối đa {MAX_TEAM} thành viên.", "member_ids")
    found = {u.id: u for u in db.session.scalars(inspectors_for(plan).where(User.id.in_(wanted)))}
    if set(wanted) - set(found):
        raise InspectionError("Thành viên đoàn phải là người có vai trò kiểm tra trong phạm vi đơn vị.", "member_ids")
    return [found[i] for i in dict.fromkeys(wanted)]


def _template(plan: InspectionPlan, template_id, actor):
    usable = checklists.templates_for(plan.unit)
    if template_id:
        for t in usable:
            if str(t.id) == str(template_id):
                return t
        raise InspectionError("Bộ tiêu chí không hợp lệ.", "template_id")
    return checklists.default_template(plan.unit, actor=actor)


def _previous(unit_id: int, before: date) -> int | None:
    """The last earlier visit of the same unit: the next one opens with its open recommendations."""
    return db.session.scalar(sa.select(Inspection.id).where(Inspection.unit_id == unit_id,
                                                            Inspection.scheduled_on < before)
                             .order_by(Inspection.scheduled_on.desc(), Inspection.id.desc()).limit(1))


def carried_over(insp: Inspection) -> list[Recommendation]:
    """Open recommendations of the unit's earlier visits: the next visit starts with them."""
    return list(db.session.scalars(
        sa.select(Recommendation).join(Inspection, Inspection.id == Recommendation.inspection_id)
        .where(Inspection.unit_id == insp.unit_id, Inspection.scheduled_on < insp.scheduled_on,
               Recommendation.state.in_(("open", "reported", "reopened")))
        .order_by(Recommendation.deadline, Recommendation.id)))


# the plan's KH document and its issue ----------------------------------------------

def plan_sections(plan: InspectionPlan) -> list[dict]:
    rows = [f"- {fmt_date(i.scheduled_on)}: {i.unit.name} — {i.content.splitlines()[0][:200]}; "
            f"đoàn: {', '.join(m.user.full_name for m in i.members)}"
            f"{'; khách mời: ' + i.guests.replace(chr(10), ', ') if i.guests else ''}; "
            f"báo cáo gửi trước {fmt_date(i.report_due)}" for i in plan.inspections]
    return [s for s in (
        {"heading": "I. MỤC ĐÍCH, YÊU CẦU", "body": plan.purpose},
        {"heading": "II. NỘI DUNG KIỂM TRA", "body": "Kiểm tra việc thực hiện Quy chế dân chủ ở cơ sở theo Luật "
                                                    "Thực hiện dân chủ ở cơ sở số 10/2022/QH15 và phong trào "
                                                    "“Dân vận khéo”."},
        {"heading": "III. ĐƠN VỊ, THỜI GIAN, THÀNH PHẦN ĐOÀN", "body": "\n".join(rows)},
        {"heading": "IV. TỔ CHỨC THỰC HIỆN", "body": "Đơn vị được kiểm tra xây dựng báo cáo và gửi trước ngày kiểm "
                                                     "tra; chuẩn bị hồ sơ, tài liệu liên quan."},
    ) if s["body"]]


def make_document(plan: InspectionPlan, *, actor):
    """The plan's KH as a draft in the plans workflow (submit → approve → numbered)."""
    from danvan.plans import documents

    if not plan.inspections:
        raise InspectionError("Kế hoạch chưa có cuộc kiểm tra nào.", None, 409)
    data = {"type_code": "KH", "summary": plan.title, "year": plan.year, "sections": plan_sections(plan),
            "signer_mode": "K/T", "signer_authority": "TRƯỞNG BAN", "signer_title": "PHÓ TRƯỞNG BAN",
            "signer_name": actor.full_name, "recipients": "\n".join(
                ["Các đơn vị được kiểm tra", "Thành viên đoàn kiểm tra", "Lưu Văn phòng"])}
    if plan.document_id is not None:
        doc = db.session.get(documents.PlanDocument, plan.document_id)
        if doc.state not in documents.EDITABLE:
            raise InspectionError("Văn bản kế hoạch đã gửi duyệt; không cập nhật được nữa.", None, 409)
        return documents.update_document(doc, {**data, **_keep_signer(doc)}, actor=actor, version=doc.version)
    doc = documents.create_document(plan.unit, data, actor=actor)
    plan.document_id = doc.id
    db.session.flush()
    return doc


def _keep_signer(doc) -> dict:
    return {k: getattr(doc, k) for k in ("signer_mode", "signer_authority", "signer_title", "signer_name",
                                          "recipients")}


def document_of(plan: InspectionPlan):
    if plan.document_id is None:
        return None
    from danvan.plans.models import PlanDocument

    return db.session.get(PlanDocument, plan.document_id)


def issue_refusal(plan: InspectionPlan, doc=None) -> str | None:
    """Why the plan cannot be issued yet, or None: the one rule the service enforces and the plan's
    page shows on its disabled button. `doc`: the plan's document when the caller has it."""
    if plan.state != "draft":
        return "Kế hoạch đã được ban hành."
    doc = doc if doc is not None else document_of(plan)
    if doc is None or doc.state != "approved":   # an archived one, even once approved, is withdrawn
        return "Văn bản kế hoạch phải được duyệt và cấp số trước khi ban hành."
    if not plan.inspections:
        return "Kế hoạch chưa có cuộc kiểm tra nào."
    return None


def issue_plan(plan: InspectionPlan, *, actor) -> None:
    """The approved KH is sent out: inspected units and team members are notified, each
    inspected unit gets a call for its report (on time / late / missing like any call)."""
    doc = document_of(plan)
    if (refusal := issue_refusal(plan, doc)) is not None:
        raise InspectionError(refusal, None, 409)
    plan.state, plan.issued_at = "issued", now_utc()
    for insp in plan.inspections:
        report_call.open_call(insp, actor=actor, number_text=doc.number_text)
        link = report_call.link("inspections.detail", inspection_id=insp.id)
        notifications.notify(notifications.users_serving(insp.unit),
                             f"Kế hoạch kiểm tra {doc.number_text}: đoàn kiểm tra làm việc ngày "
                             f"{fmt_date(insp.scheduled_on)}; gửi báo cáo trước {fmt_date(insp.report_due)}",
                             kind="inspection_planned", link=link, obj=insp, exclude=actor)
        notifications.notify([m.user for m in insp.members],
                             f"Anh/chị tham gia đoàn kiểm tra {insp.unit.name} ngày {fmt_date(insp.scheduled_on)}",
                             kind="inspection_team", link=link, obj=insp, exclude=actor)
    audit.record(actor, "issue", plan, {"state": ("draft", "issued")})
    db.session.flush()


def upcoming_query(user) -> sa.Select:
    return (visible(user).where(Inspection.scheduled_on >= today_local(), Inspection.state == "planned")
            .order_by(Inspection.scheduled_on, Inspection.id))


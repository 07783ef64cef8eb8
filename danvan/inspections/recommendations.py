"""Recommendations (kiến nghị) followed to closure: the unit responsible reports what it did
(with evidence), the team accepts or reopens with a reason. Overdue = still open after the whole
deadline day in Asia/Ho_Chi_Minh; overdue ones go to both dashboards and to the reminders."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from danvan.core import files, workflow
from danvan.core.errors import checked_text
from danvan.core.units import Unit, in_subtree
from danvan.core.vntext import TZ, fmt_date, now_utc, today_local
from danvan.core.workflow import SCOPE, Transition, Workflow
from danvan.extensions import db
from danvan.notifications import service as notifications

from . import planning, report_call
from .errors import InspectionError
from .models import OPEN_RECOMMENDATION_STATES, RECOMMENDATION_STATES, Inspection, InspectionReminder, Recommendation

EVIDENCE_OWNER = "Recommendation"
WORKFLOW = Workflow(
    name="inspection_recommendation",
    states=RECOMMENDATION_STATES,
    initial="open",
    transitions=(
        Transition("report", "Báo cáo kết quả thực hiện", ("open", "reopened"), "reported", "inspections.followup",
                   relation=SCOPE, comment_required=True),
        Transition("accept", "Công nhận hoàn thành", ("reported",), "accepted", "inspections.conduct",
                   relation=SCOPE),
        Transition("reopen", "Yêu cầu thực hiện lại", ("reported", "accepted"), "reopened", "inspections.conduct",
                   relation=SCOPE, comment_required=True, style="warning"),
    ),
    final=frozenset({"accepted"}),
)
MAX_PER_INSPECTION = 50


def local_day(at: datetime) -> date:
    return at.astimezone(TZ).date()


def is_overdue(rec: Recommendation, today: date | None = None) -> bool:
    """Open after its deadline day has ended in Vietnam (the deadline day itself still counts)."""
    return rec.state in OPEN_RECOMMENDATION_STATES and (today or today_local()) > rec.deadline


def overdue_clause(today: date | None = None):
    return sa.and_(Recommendation.state.in_(OPEN_RECOMMENDATION_STATES),
                   Recommendation.deadline < (today or today_local()))


def add(insp: Inspection, data: dict, *, actor) -> Recommendation:
    if insp.state == "concluded":
        raise InspectionError("Đã ban hành kết luận; kiến nghị mới cần một cuộc kiểm tra mới.", None, 409)
    text = checked_text(data.get("text"), "text", "Nội dung kiến nghị", 4000, required="Nhập nội dung kiến nghị.",
                        error=InspectionError)
    deadline = data.get("deadline")
    if not isinstance(deadline, date):
        raise InspectionError("Nhập thời hạn thực hiện (dd/mm/yyyy).", "deadline")
    if deadline < insp.scheduled_on:
        raise InspectionError("Thời hạn phải sau ngày kiểm tra.", "deadline")
    unit = db.session.get(Unit, data.get("unit_id") or insp.unit_id)
    if unit is None or not insp.unit.contains(unit):
        raise InspectionError("Đơn vị thực hiện phải là đơn vị được kiểm tra hoặc đơn vị trực thuộc.", "unit_id")
    if len(insp.recommendations) >= MAX_PER_INSPECTION:
        raise InspectionError(f"Tối đa {MAX_PER_INSPECTION} kiến nghị cho một cuộc kiểm tra.", "text")
    rec = Recommendation(inspection=insp, organiser_id=insp.organiser_id, unit=unit, text=text, deadline=deadline,
                         position=len(insp.recommendations) + 1)
    db.session.add(rec)
    db.session.flush()
    return rec


def responsible_units(insp: Inspection) -> sa.Select:
    return sa.select(Unit).where(in_subtree(insp.unit), Unit.valid_to.is_(None), Unit.kind != "ban").order_by(Unit.path)


def report(rec: Recommendation, text: str, upload: FileStorage | None, *, actor) -> None:
    """The unit says what it did; an evidence file is optional but checked like any upload."""
    if upload is not None and upload.filename:
        try:
            files.store(upload, owner_type=EVIDENCE_OWNER, owner_id=rec.id, unit_id=rec.unit_id, actor=actor)
        except files.UploadError as exc:
            raise InspectionError(exc.message, "file") from None
    _take(rec, "report", text, actor)
    notifications.notify([m.user for m in rec.inspection.members], f"{rec.unit.name} báo cáo thực hiện kiến nghị",
                         kind="recommendation_reported", obj=rec, body=text[:2000],
                         link=report_call.link("inspections.recommendation", recommendation_id=rec.id), exclude=actor)


def review(rec: Recommendation, decision: str, reason: str, *, actor) -> None:
    if decision not in ("accept", "reopen"):
        raise InspectionError("Thao tác không hợp lệ.", None, 400)
    _take(rec, decision, reason, actor)
    rec.closed_at = now_utc() if decision == "accept" else None
    title = ("Kiến nghị đã được công nhận hoàn thành" if decision == "accept"
             else "Kiến nghị cần thực hiện lại")
    notifications.notify(notifications.users_serving(rec.unit), f"{title}: {rec.text[:120]}",
                         kind=f"recommendation_{decision}", obj=rec, body=reason[:2000],
                         link=report_call.link("inspections.recommendation", recommendation_id=rec.id), exclude=actor)
    db.session.flush()


def _take(rec: Recommendation, name: str, comment: str, actor) -> None:
    try:
        workflow.apply(WORKFLOW, rec, name, actor=actor, comment=comment or "")
    except workflow.TransitionError as exc:
        field = "comment" if exc.status == 422 else None
        raise InspectionError(exc.message, field, exc.status) from None


def actions(rec: Recommendation, user) -> set[str]:
    """What the user may do to the recommendation now: "followup" and/or "review"."""
    from danvan.core import access

    now = {t.name for t in WORKFLOW.available(rec, user)}
    out = set()
    if "report" in now and access.can(user, "followup", rec):
        out.add("followup")
    if now & {"accept", "reopen"} and access.can(user, "review", rec):
        out.add("review")
    return out


def history(rec: Recommendation):
    return workflow.history(rec)


# lists ------------------------------------------------------------------------------

def visible(user) -> sa.Select:
    """Recommendations of the visits the user sees (same rule as the visits)."""
    seen = planning.visible(user).with_only_columns(Inspection.id).order_by(None)
    return sa.select(Recommendation).where(Recommendation.inspection_id.in_(seen))


def load_or_404(recommendation_id: int, user) -> Recommendation:
    from flask import abort

    if not 0 < recommendation_id <= planning.MAX_ID:
        abort(404)
    rec = db.session.scalar(visible(user).where(Recommendation.id == recommendation_id))
    if rec is None:
        abort(404)
    return rec


def search(user, *, status: str = "", unit_id: int | None = None, today: date | None = None) -> sa.Select:
    # Selected in separate statements, not joined: the visits and units of the page's rows only are
    # loaded, not joined to every visible row before the sort (110 ms → 15 ms at national scale).
    stmt = visible(user).options(
        sa.orm.selectinload(Recommendation.inspection).lazyload(Inspection.members),
        sa.orm.selectinload(Recommendation.unit))
    if status == "open":
        stmt = stmt.where(Recommendation.state.in_(OPEN_RECOMMENDATION_STATES))
    elif status == "overdue":
        stmt = stmt.where(overdue_clause(today))
    elif status in RECOMMENDATION_STATES:
        stmt = stmt.where(Recommendation.state == status)
    if unit_id:
        stmt = stmt.where(Recommendation.unit_id == unit_id)
    return stmt.order_by(Recommendation.deadline, Recommendation.id)


def for_unit(unit: Unit) -> sa.Select:
    """Open recommendations a unit must act on."""
    return (sa.select(Recommendation).where(Recommendation.unit_id == unit.id,
                                            Recommendation.state.in_(("open", "reopened")))
            .order_by(Recommendation.deadline, Recommendation.id))


# reminders --------------------------------------------------------------------------

def send_reminders(today: date | None = None) -> int:
    """Once per recommendation and deadline, when it is overdue: to the unit and to the team.
    Recorded, so a second run sends nothing and a missed day catches up."""
    today = today or today_local()
    recs = list(db.session.scalars(sa.select(Recommendation).where(overdue_clause(today))
                                   .where(~sa.exists().where(InspectionReminder.recommendation_id == Recommendation.id,
                                                             InspectionReminder.deadline == Recommendation.deadline))
                                   .order_by(Recommendation.id)))
    if not recs:
        return 0
    serving = notifications.users_serving_map([r.unit_id for r in recs])
    sent = 0
    for rec in recs:
        try:
            with db.session.begin_nested():
                db.session.add(InspectionReminder(recommendation_id=rec.id, deadline=rec.deadline, sent_at=now_utc()))
                db.session.flush()
        except IntegrityError:   # another run recorded it at the same moment
            continue
        users = serving.get(rec.unit_id, []) + [m.user for m in rec.inspection.members]
        notifications.notify(users, f"Kiến nghị quá hạn (hạn {fmt_date(rec.deadline)}): {rec.text[:150]}",
                             kind="recommendation_overdue", obj=rec,
                             link=report_call.link("inspections.recommendation", recommendation_id=rec.id))
        sent += 1
    return sent

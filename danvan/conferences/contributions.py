"""Tham luận: a unit is asked for a paper, sends it (file kept, older versions archived), the organiser
accepts or returns it (with a reason) and may put an accepted one on the programme."""
from __future__ import annotations

from datetime import date, time

import sqlalchemy as sa

from danvan.core import access, workflow
from danvan.core.files import Attachment, UploadError, store
from danvan.core.vntext import TZ, clean, now_utc, today_local
from danvan.core.workflow import SCOPE, Transition, Workflow
from danvan.extensions import db

from .agenda import add_item
from .models import Conference, ConferenceContribution, ConferenceItem
from .participants import add_new, units_in_scope
from .service import ConferenceError

CONTRIBUTION_OWNER = "ConferenceContribution"

CONTRIBUTION_FLOW = Workflow(
    name="conference_contribution",
    states={"invited": "Đã đề nghị", "submitted": "Đã gửi", "accepted": "Đã nhận", "returned": "Trả lại"},
    initial="invited",
    transitions=(
        Transition("submit", "Gửi tham luận", ("invited", "returned"), "submitted", "conferences.edit", SCOPE),
        Transition("accept", "Nhận tham luận", ("submitted",), "accepted", "conferences.edit", SCOPE),
        Transition("return", "Trả lại", ("submitted", "accepted"), "returned", "conferences.edit", SCOPE,
                   comment_required=True, style="danger"),
    ),
)


def invite_contributions(conf: Conference, unit_ids: list, *, topic: str, deadline: date | None,
                         actor) -> list[ConferenceContribution]:
    topic = clean(topic)
    if not topic:
        raise ConferenceError("Nhập chủ đề tham luận đề nghị.", "topic")
    if len(topic) > 500:
        raise ConferenceError("Chủ đề tối đa 500 ký tự.", "topic")
    if deadline is None:
        raise ConferenceError("Nhập hạn gửi tham luận (dd/mm/yyyy).", "deadline")
    if deadline < today_local():
        raise ConferenceError("Hạn gửi không được trước ngày hôm nay.", "deadline")
    if deadline > conf.starts_at.astimezone(TZ).date():
        raise ConferenceError("Hạn gửi phải trước ngày hội nghị.", "deadline")
    units = units_in_scope(conf, unit_ids, actor)
    return add_new(conf.contributions, units,
                   lambda unit: ConferenceContribution(unit=unit, topic=topic, deadline=deadline, state="invited"))


def submit_contribution(c: ConferenceContribution, *, title: str, presenter: str, upload, actor) -> None:
    title, presenter = clean(title), clean(presenter)
    if not title:
        raise ConferenceError("Nhập tên tham luận.", "title")
    if len(title) > 500 or len(presenter) > 300:
        raise ConferenceError("Tên tham luận tối đa 500, người trình bày tối đa 300 ký tự.", "title")
    if c.state not in ("invited", "returned"):
        raise ConferenceError(f"Tham luận đang ở trạng thái «{c.state_label}», không gửi lại được.", "title", 409)
    try:
        attachment = store(upload, owner_type=CONTRIBUTION_OWNER, owner_id=c.id, unit_id=c.unit_id, actor=actor)
    except UploadError as exc:
        raise ConferenceError(exc.message, "file") from exc
    # Earlier versions of the file are archived: the organiser reads the last one sent.
    db.session.execute(sa.update(Attachment).where(
        Attachment.owner_type == CONTRIBUTION_OWNER, Attachment.owner_id == c.id,
        Attachment.id != attachment.id, Attachment.archived_at.is_(None)).values(archived_at=now_utc()))
    c.title, c.presenter, c.submitted_at = title, presenter, now_utc()
    _apply(c, "submit", actor)


def _apply(c: ConferenceContribution, name: str, actor, comment: str = "") -> None:
    try:
        workflow.apply(CONTRIBUTION_FLOW, c, name, actor=actor, comment=comment)
    except workflow.TransitionError as exc:
        raise ConferenceError(exc.message, None, exc.status) from exc


def review_contribution(c: ConferenceContribution, decision: str, reason: str, *, actor) -> None:
    if not access.can(actor, "manage", c.conference):
        raise ConferenceError("Chỉ đơn vị tổ chức hội nghị được nhận hoặc trả lại tham luận.", None, 403)
    if decision == "accept":
        _apply(c, "accept", actor)
    elif decision == "return":
        reason = clean(reason)
        _apply(c, "return", actor, reason)
        c.return_reason = reason
        for item in list(c.conference.items):   # a returned contribution leaves the programme
            if item.contribution_id == c.id:
                c.conference.items.remove(item)
    else:
        raise ConferenceError("Thao tác không hợp lệ.", None, 400)
    db.session.flush()


def schedule_contribution(c: ConferenceContribution, start_time: time | None = None) -> ConferenceItem:
    if c.state != "accepted":
        raise ConferenceError("Chỉ đưa vào chương trình tham luận đã được nhận.", None, 409)
    existing = next((i for i in c.conference.items if i.contribution_id == c.id), None)
    if existing is not None:
        return existing
    return add_item(c.conference, start_time=start_time, content=f"Tham luận: {c.title}",
                    presenter=c.presenter or f"Đại diện {c.unit.name}", document=c.title, contribution=c)


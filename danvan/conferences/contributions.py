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

from . import notices
from .agenda import add_item
from .models import Conference, ConferenceContribution, ConferenceItem
from .participants import add_new, units_in_scope
from .service import ConferenceError

CONTRIBUTION_OWNER = "ConferenceContribution"

CONTRIBUTION_FLOW = Workflow(
    name="conference_contribution",
    states={"invited": "Đã đề nghị", "submitted": "Đã gửi", "accepted": "Đã nhận", "returned": "Trả lại",
            "withdrawn": "Đã rút đề nghị"},
    initial="invited",
    transitions=(
        Transition("submit", "Gửi tham luận", ("invited", "returned"), "submitted", "conferences.edit", SCOPE),
        Transition("accept", "Nhận tham luận", ("submitted",), "accepted", "conferences.edit", SCOPE),
        Transition("return", "Trả lại", ("submitted", "accepted"), "returned", "conferences.edit", SCOPE,
                   comment_required=True, style="danger"),
        # the organiser takes back a request (asked the wrong unit, the topic dropped); kept, not deleted
        Transition("withdraw", "Rút đề nghị", ("invited", "submitted", "returned", "accepted"), "withdrawn",
                   "conferences.edit", SCOPE, style="danger", validate=False),
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
    added = add_new(conf.contributions, units,
                    lambda unit: ConferenceContribution(unit=unit, topic=topic, deadline=deadline, state="invited"))
    notices.contributions_asked(conf, added, actor=actor)
    return added


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
    notices.contribution_changed(c, actor=actor)


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
    notices.contribution_changed(c, actor=actor)


def withdraw_contribution(c: ConferenceContribution, *, actor) -> None:
    """The request is withdrawn: it leaves the programme and the list; its history stays."""
    if not access.can(actor, "manage", c.conference):
        raise ConferenceError("Chỉ đơn vị tổ chức hội nghị được rút đề nghị tham luận.", None, 403)
    _apply(c, "withdraw", actor)
    for item in list(c.conference.items):
        if item.contribution_id == c.id:
            c.conference.items.remove(item)
    db.session.flush()
    notices.contribution_changed(c, actor=actor)


CLOSING_WORDS = ("kết luận", "phát biểu kết luận", "bế mạc", "tổng kết hội nghị")


def _closing(items: list[ConferenceItem]) -> ConferenceItem | None:
    """The first of the closing items at the end (the chair's conclusion, then the closing): tham luận go
    before it. Looking at the last item only put a paper between "Kết luận" and "Bế mạc"."""
    closing = None
    for item in reversed(items):
        if not item.content.lower().startswith(CLOSING_WORDS):
            break
        closing = item
    return closing


def _slot(items: list[ConferenceItem], closing: ConferenceItem | None) -> time | None:
    """15 minutes after the last timed item before the closing, if that is still before it."""
    head = items[:items.index(closing)] if closing is not None else items
    before = [i.start_time for i in head if i.start_time is not None]
    if not before:
        return closing.start_time if closing else None
    minutes = before[-1].hour * 60 + before[-1].minute + 15
    slot = time(min(minutes // 60, 23), minutes % 60)
    return slot if closing is None or closing.start_time is None or slot <= closing.start_time else closing.start_time


def schedule_contribution(c: ConferenceContribution, start_time: time | None = None) -> ConferenceItem:
    """An accepted tham luận goes on the programme before the closing item, with a time."""
    if c.state != "accepted":
        raise ConferenceError("Chỉ đưa vào chương trình tham luận đã được nhận.", None, 409)
    existing = next((i for i in c.conference.items if i.contribution_id == c.id), None)
    if existing is not None:
        return existing
    items = sorted(c.conference.items, key=lambda i: (i.position, i.id))
    closing = _closing(items)
    item = add_item(c.conference, start_time=start_time or _slot(items, closing), content=f"Tham luận: {c.title}",
                    presenter=c.presenter or f"Đại diện {c.unit.name}", document=c.title, contribution=c)
    if closing is not None:     # the new item takes the closing's place; the closing run moves down one
        ordered = [i for i in items if i is not item]
        at = ordered.index(closing)
        for pos, it in enumerate(ordered[:at] + [item] + ordered[at:], start=1):
            it.position = pos
        db.session.flush()
        db.session.expire(c.conference, ["items"])
    return item

"""Conferences themselves: loading in scope (organiser's tree or a participating unit), the conference's
own fields, chairs, conclusion and numbered documents. Parts live beside it: participants.py (điểm cầu,
invitees), agenda.py, contributions.py (tham luận), panel.py (dashboard)."""
from __future__ import annotations

from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from flask import abort

from danvan.core import access, audit, numbering
from danvan.core.errors import ServiceError, checked_text
from danvan.core.units import Unit
from danvan.core.vntext import TZ, clean, fold, matches, now_utc, today_local
from danvan.extensions import db

from .models import (
    DOCUMENTS,
    KINDS,
    LISTS,
    PUBLIC_LISTS,
    Conference,
    ConferenceChair,
    ConferenceContribution,
    ConferenceDocument,
    ConferenceInvitee,
    ConferencePoint,
)


class ConferenceError(ServiceError):
    """A conference service refusing input (message, field, status as every ServiceError)."""


# ---------------------------------------------------------------- loading and scope

def load_conference_or_404(conference_id: int, user) -> Conference:
    conf = access.get_scoped_or_404(Conference, conference_id, user)
    if conf.archived_at is not None:
        abort(404)
    return conf


def participation(user, conference_id=None) -> sa.ColumnElement[bool]:
    """SQL condition on Conference: a unit of the user's tree (their committee for a ban, and the units
    under it) is invited to it, hosts a điểm cầu of it or was asked for a tham luận."""
    mine = access.scope_ids(user)
    parts = []
    for model in (ConferenceInvitee, ConferencePoint, ConferenceContribution):
        q = sa.select(model.conference_id).where(model.unit_id.in_(mine))
        parts.append(q if conference_id is None else q.where(model.conference_id == conference_id))
    return sa.or_(*(Conference.id.in_(q) for q in parts))


def load_conference_for_reader_or_404(conference_id: int, user) -> tuple[Conference, bool]:
    """(conference, is_organiser). The organiser's tree reads and manages it as today; a unit that takes
    part (invitee, điểm cầu, tham luận) reads it without organiser controls. Any other id is 404."""
    conf = db.session.get(Conference, conference_id)
    if conf is None or conf.archived_at is not None:
        abort(404)
    if organises(user, conf):
        return conf, True
    if db.session.scalar(sa.select(sa.exists().where(Conference.id == conf.id,
                                                     participation(user, conf.id)))):
        return conf, False
    abort(404)


# Documents a participating unit may print: the public ones, the conclusion once it has a number.
# Its own Giấy mời is printed per invitee (views.invitee_pdf); the packet, the list of delegates and
# the list of tham luận stay with the organiser.
PUBLIC_DOCUMENTS = ("chuong-trinh", "diem-cau", "ket-luan")


def public_document(conf: Conference, key: str) -> bool:
    if key == "ket-luan":
        return conf.document(key) is not None
    return key in PUBLIC_DOCUMENTS


def load_document_for_reader_or_404(conference_id: int, key: str, user) -> Conference:
    """The organiser prints every document; a participating unit only the public ones (else 404)."""
    conf, is_organiser = load_conference_for_reader_or_404(conference_id, user)
    if key not in DOCUMENTS or not (is_organiser or public_document(conf, key)):
        abort(404)
    return conf


def load_list_for_reader_or_404(conference_id: int, key: str, user) -> Conference:
    """The list of delegates (others' replies) stays with the organiser; anything else is 404."""
    conf, is_organiser = load_conference_for_reader_or_404(conference_id, user)
    if key not in LISTS or not (is_organiser or key in PUBLIC_LISTS):
        abort(404)
    return conf


def visible_parts(conf: Conference, user, is_organiser: bool) -> tuple[list[ConferenceInvitee],
                                                                     list[ConferenceContribution]]:
    """Invitations and tham luận the user reads: all for the organiser, their own units' for a participant."""
    if is_organiser:
        return list(conf.invitees), list(conf.contributions)
    return ([i for i in conf.invitees if access.in_scope(user, i.unit)],
            [c for c in conf.contributions if access.in_scope(user, c.unit)])


def participating(user, q: str = "", limit: int = 50) -> list[Conference]:
    """Conferences organised outside the user's tree in which a unit of the tree takes part: one query."""
    stmt = (sa.select(Conference).where(Conference.archived_at.is_(None),
                                        Conference.unit_id.not_in(access.scope_ids(user)), participation(user)))
    if (found := matches(q, Conference.search_key)) is not None:
        stmt = stmt.where(found)
    return list(db.session.scalars(stmt.order_by(Conference.starts_at.desc(), Conference.id.desc()).limit(limit)))


def organises(user, conf: Conference) -> bool:
    """The user's unit tree holds the organising unit: they manage the conference."""
    return access.in_scope(user, conf.unit)


def load_part_or_404(model, part_id: int, user, *, organiser_only: bool = False):
    """A chair, point, invitee, item or contribution: visible to the organiser, and invitees/
    contributions also to their own unit. Anything else is 404."""
    obj = db.session.get(model, part_id)
    if obj is None or obj.conference.archived_at is not None:
        abort(404)
    if organises(user, obj.conference):
        return obj
    own_unit = getattr(obj, "unit_id", None) if model in (ConferenceInvitee, ConferenceContribution) else None
    if not organiser_only and own_unit is not None and access.in_scope(user, obj.unit):
        return obj
    abort(404)


def search(user, q: str = "") -> sa.Select:
    stmt = access.scoped(sa.select(Conference).where(Conference.archived_at.is_(None)), Conference.unit_id, user)
    if (found := matches(q, Conference.search_key)) is not None:
        stmt = stmt.where(found)
    return stmt.order_by(Conference.starts_at.desc(), Conference.id.desc())


def _asked_from_elsewhere(model, user, order) -> list:
    """Rows (invitees, contributions) addressed to units in the user's tree from live conferences
    organised outside it, with their conference, the first 50 by `order`."""
    stmt = access.scoped(
        sa.select(model).join(Conference).where(Conference.archived_at.is_(None))
        .where(Conference.unit_id.not_in(access.scope_ids(user))),
        model.unit_id, user)
    return list(db.session.scalars(stmt.options(sa.orm.contains_eager(model.conference))
                                   .order_by(order).limit(50)))


def invitations_for(user) -> list[ConferenceInvitee]:
    """Invitations addressed to units in the user's tree from conferences organised elsewhere."""
    return _asked_from_elsewhere(ConferenceInvitee, user, Conference.starts_at.desc())


def contributions_for(user) -> list[ConferenceContribution]:
    return _asked_from_elsewhere(ConferenceContribution, user, ConferenceContribution.deadline)


# ---------------------------------------------------------------- the conference itself

def period(day: date | None, start: time | None, end_day: date | None, end: time | None) -> tuple[datetime, datetime]:
    """Local day and times (Asia/Ho_Chi_Minh) → UTC start and end; the end must come after the start."""
    if day is None or start is None:
        raise ConferenceError("Nhập ngày và giờ bắt đầu.", "day")
    if end is None:
        raise ConferenceError("Nhập giờ kết thúc.", "end")
    starts = datetime.combine(day, start, tzinfo=TZ)
    ends = datetime.combine(end_day or day, end, tzinfo=TZ)
    if ends <= starts:
        raise ConferenceError("Thời gian kết thúc phải sau thời gian bắt đầu.", "end")
    return starts.astimezone(UTC), ends.astimezone(UTC)


def _fill(conf: Conference, data: dict) -> None:
    if data.get("kind") not in KINDS:
        raise ConferenceError("Chọn loại hội nghị.", "kind")
    title = checked_text(clean(data.get("title")), "title", "Tên hội nghị", 300, required="Nhập tên hội nghị.",
                         error=ConferenceError)
    starts, ends = period(data.get("day"), data.get("start"), data.get("end_day"), data.get("end"))
    conf.kind = data["kind"]
    conf.title = title
    conf.search_key = fold(title)[:400]
    conf.starts_at, conf.ends_at = starts, ends
    for field in ("venue", "purpose", "notes", "signer_authority", "signer_title", "signer_name", "recipients"):
        setattr(conf, field, clean(data.get(field)))
    conf.online = bool(data.get("online"))


def create(unit: Unit, data: dict, *, actor) -> Conference:
    if not access.in_scope(actor, unit):
        raise ConferenceError("Đơn vị tổ chức nằm ngoài phạm vi quản lý.", "unit_id")
    conf = Conference(unit=unit, created_by_id=actor.id)
    _fill(conf, data)
    db.session.add(conf)
    db.session.flush()
    return conf


def update(conf: Conference, data: dict, *, actor) -> Conference:
    conf.check_version(data.get("version"))
    _fill(conf, data)
    db.session.flush()
    return conf


def archive(conf: Conference, *, actor) -> None:
    conf.archived_at = now_utc()
    audit.record(actor, "archive", conf)
    db.session.flush()


def conclude(conf: Conference, text: str, *, actor) -> None:
    if conf.starts_at > now_utc():
        raise ConferenceError("Chỉ ghi kết luận sau khi hội nghị đã diễn ra.", "conclusion")
    text = checked_text(clean(text), "conclusion", "Kết luận", 20000, required="Nhập nội dung kết luận.",
                        error=ConferenceError)
    conf.conclusion, conf.concluded_at = text, now_utc()
    db.session.flush()


# ---------------------------------------------------------------- chairs

def _chair_fields(name: str, title: str) -> tuple[str, str]:
    name, title = clean(name), clean(title)
    if not name:
        raise ConferenceError("Nhập họ tên người chủ trì.", "name")
    if len(name) > 120 or len(title) > 300:
        raise ConferenceError("Họ tên tối đa 120, chức vụ tối đa 300 ký tự.", "name")
    return name, title


def add_chair(conf: Conference, name: str, title: str, *, actor) -> ConferenceChair:
    name, title = _chair_fields(name, title)
    chair = ConferenceChair(name=name, title=title, position=len(conf.chairs) + 1)
    conf.chairs.append(chair)
    db.session.flush()
    return chair


def update_chair(chair: ConferenceChair, name: str, title: str, *, version) -> ConferenceChair:
    """Edited in place; a save from a form opened before another change is refused (StaleEdit)."""
    chair.check_version(version)
    chair.name, chair.title = _chair_fields(name, title)
    db.session.flush()
    return chair


def remove(obj) -> None:
    db.session.delete(obj)
    db.session.flush()


# ---------------------------------------------------------------- documents and numbers

def issue(conf: Conference, key: str, *, actor, on: date | None = None) -> ConferenceDocument:
    """Take the next number for the document (once); refuse what is not ready to issue. `on` (the
    issue date, default today) lets the demo replay a conference held in the past."""
    if key not in DOCUMENTS or DOCUMENTS[key][1] is None:
        raise ConferenceError("Văn bản này không cấp số.", None, 400)
    existing = conf.document(key)
    if existing is not None:
        return existing
    if key == "giay-moi" and not conf.invitees:
        raise ConferenceError("Chưa có đơn vị được mời: thêm đơn vị trước khi phát hành giấy mời.", None, 409)
    if key == "ket-luan" and not conf.conclusion:
        raise ConferenceError("Chưa có nội dung kết luận.", None, 409)
    if not conf.unit.code:
        raise ConferenceError("Đơn vị tổ chức chưa có ký hiệu để ghi số văn bản.", None, 409)
    code = DOCUMENTS[key][1]
    issued_on = on or today_local()
    number = numbering.next_number(conf.unit_id, code, issued_on.year)
    doc = ConferenceDocument(doc_key=key, type_code=code, number=number,
                             number_text=numbering.format_number(number, code, conf.unit.code),
                             issued_on=issued_on, issued_by_id=actor.id)
    conf.documents.append(doc)
    audit.record(actor, "issue", conf, {"document": (None, doc.number_text)})
    db.session.flush()
    return doc


def started(conf: Conference) -> bool:
    return conf.starts_at <= now_utc()

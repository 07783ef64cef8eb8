"""Rules for conferences: scope of điểm cầu and invitees, agenda order, tham luận flow, numbering."""
from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from flask import abort

from danvan.core import access, audit, numbering, workflow
from danvan.core.files import UploadError, store
from danvan.core.inputs import int_or_none
from danvan.core.units import ADVISORY_KINDS, Unit, scope_root
from danvan.core.vntext import TZ, clean, fold, like_pattern, now_utc, today_local
from danvan.core.workflow import SCOPE, Transition, Workflow
from danvan.extensions import db

from .models import (
    DOCUMENTS,
    KINDS,
    Conference,
    ConferenceChair,
    ConferenceContribution,
    ConferenceDocument,
    ConferenceInvitee,
    ConferenceItem,
    ConferencePoint,
)

POINT_KINDS = ("tinh_uy", "huyen_uy", "dang_uy_truc_thuoc", "xa", "ban")
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


class ConferenceError(Exception):
    def __init__(self, message: str, field: str | None = None, status: int = 422):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


# ---------------------------------------------------------------- loading and scope

def load_conference_or_404(conference_id: int, user) -> Conference:
    conf = access.get_scoped_or_404(Conference, conference_id, user)
    if conf.archived_at is not None:
        abort(404)
    return conf


def _participation(user, conference_id=None) -> sa.ColumnElement[bool]:
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
                                                     _participation(user, conf.id)))):
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


def participating(user, q: str = "", limit: int = 50) -> list[Conference]:
    """Conferences organised outside the user's tree in which a unit of the tree takes part: one query."""
    stmt = (sa.select(Conference).where(Conference.archived_at.is_(None),
                                        Conference.unit_id.not_in(access.scope_ids(user)), _participation(user)))
    pattern = like_pattern(q)
    if pattern:
        stmt = stmt.where(Conference.search_key.like(pattern, escape="\\"))
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
    pattern = like_pattern(q)
    if pattern:
        stmt = stmt.where(Conference.search_key.like(pattern, escape="\\"))
    return stmt.order_by(Conference.starts_at.desc(), Conference.id.desc())


def invitations_for(user) -> list[ConferenceInvitee]:
    """Invitations addressed to units in the user's tree from conferences organised elsewhere."""
    stmt = access.scoped(
        sa.select(ConferenceInvitee).join(Conference).where(Conference.archived_at.is_(None))
        .where(Conference.unit_id.not_in(access.scope_ids(user))),
        ConferenceInvitee.unit_id, user)
    return list(db.session.scalars(stmt.options(sa.orm.contains_eager(ConferenceInvitee.conference))
                                   .order_by(Conference.starts_at.desc()).limit(50)))


def contributions_for(user) -> list[ConferenceContribution]:
    stmt = access.scoped(
        sa.select(ConferenceContribution).join(Conference).where(Conference.archived_at.is_(None))
        .where(Conference.unit_id.not_in(access.scope_ids(user))),
        ConferenceContribution.unit_id, user)
    return list(db.session.scalars(stmt.options(sa.orm.contains_eager(ConferenceContribution.conference))
                                   .order_by(ConferenceContribution.deadline).limit(50)))


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
    title = clean(data.get("title"))
    if not title:
        raise ConferenceError("Nhập tên hội nghị.", "title")
    if len(title) > 300:
        raise ConferenceError("Tên hội nghị tối đa 300 ký tự.", "title")
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
    text = clean(text)
    if conf.starts_at > now_utc():
        raise ConferenceError("Chỉ ghi kết luận sau khi hội nghị đã diễn ra.", "conclusion")
    if not text:
        raise ConferenceError("Nhập nội dung kết luận.", "conclusion")
    if len(text) > 20000:
        raise ConferenceError("Kết luận tối đa 20.000 ký tự.", "conclusion")
    conf.conclusion, conf.concluded_at = text, now_utc()
    db.session.flush()


# ---------------------------------------------------------------- chairs

def add_chair(conf: Conference, name: str, title: str, *, actor) -> ConferenceChair:
    name, title = clean(name), clean(title)
    if not name:
        raise ConferenceError("Nhập họ tên người chủ trì.", "name")
    if len(name) > 120 or len(title) > 300:
        raise ConferenceError("Họ tên tối đa 120, chức vụ tối đa 300 ký tự.", "name")
    chair = ConferenceChair(name=name, title=title, position=len(conf.chairs) + 1)
    conf.chairs.append(chair)
    db.session.flush()
    return chair


def remove(obj) -> None:
    db.session.delete(obj)
    db.session.flush()


# ---------------------------------------------------------------- điểm cầu, invitees

def candidate_units(conf: Conference) -> list[Unit]:
    """Units of the organiser's tree that can host a điểm cầu or be invited."""
    root = scope_root(conf.unit)
    return list(db.session.scalars(
        sa.select(Unit).where(Unit.path.startswith(root.path, autoescape=True), Unit.valid_to.is_(None),
                              Unit.kind.in_(POINT_KINDS)).order_by(Unit.path)))


def _units_in_scope(conf: Conference, unit_ids: list[int], actor) -> list[Unit]:
    ids = sorted({i for i in map(int_or_none, unit_ids) if i})
    if not ids:
        raise ConferenceError("Chọn ít nhất một đơn vị.", "unit_ids")
    units = list(db.session.scalars(sa.select(Unit).where(Unit.id.in_(ids))))
    root = scope_root(conf.unit)
    outside = [u for u in units if not root.contains(u) or not access.in_scope(actor, u)]
    if outside or len(units) != len(ids):
        names = ", ".join(u.name for u in outside[:3]) or "đơn vị không tồn tại"
        raise ConferenceError(f"Đơn vị nằm ngoài phạm vi của đơn vị tổ chức: {names}.", "unit_ids")
    closed = [u for u in units if u.valid_to is not None]
    if closed:
        raise ConferenceError(f"Đơn vị đã giải thể hoặc sáp nhập: {closed[0].name}.", "unit_ids")
    return units


def add_points(conf: Conference, unit_ids: list, *, venue: str = "", contact_name: str = "",
               contact_phone: str = "", actor) -> list[ConferencePoint]:
    units = _units_in_scope(conf, unit_ids, actor)
    venue, contact_name, contact_phone = clean(venue), clean(contact_name), clean(contact_phone)
    if len(venue) > 300 or len(contact_name) > 120 or len(contact_phone) > 40:
        raise ConferenceError("Địa điểm tối đa 300, người liên hệ 120, điện thoại 40 ký tự.", "venue")
    have = {p.unit_id for p in conf.points}
    added = []
    for unit in units:
        if unit.id in have:
            continue
        point = ConferencePoint(unit=unit, venue=venue or f"Hội trường {unit.name}",
                                contact_name=contact_name, contact_phone=contact_phone)
        conf.points.append(point)
        added.append(point)
    if added and not conf.online:
        conf.online = True
    db.session.flush()
    return added


def default_addressee(unit: Unit) -> str:
    return f"Đại diện lãnh đạo {unit.name}"


def add_invitees(conf: Conference, unit_ids: list, *, addressee: str = "", actor) -> list[ConferenceInvitee]:
    units = _units_in_scope(conf, unit_ids, actor)
    addressee = clean(addressee)
    if len(addressee) > 200:
        raise ConferenceError("Người được mời tối đa 200 ký tự.", "addressee")
    have = {i.unit_id for i in conf.invitees}
    added = []
    for unit in units:
        if unit.id in have:
            continue
        text = f"{addressee} {unit.name}" if addressee else default_addressee(unit)
        inv = ConferenceInvitee(unit=unit, addressee=text[:300])
        conf.invitees.append(inv)
        added.append(inv)
    db.session.flush()
    return added


def confirm(inv: ConferenceInvitee, status: str, delegates: int | None, note: str, *, actor) -> None:
    if status not in ("confirmed", "declined", "pending"):
        raise ConferenceError("Chọn tham dự hoặc vắng.", "status")
    if status == "confirmed" and (delegates is None or delegates < 1):
        raise ConferenceError("Số đại biểu tham dự phải từ 1 trở lên.", "delegates")
    if delegates is not None and delegates > 500:
        raise ConferenceError("Số đại biểu tối đa 500.", "delegates")
    note = clean(note)
    if len(note) > 500:
        raise ConferenceError("Ghi chú tối đa 500 ký tự.", "note")
    inv.status = status
    inv.delegates = delegates if status == "confirmed" else 0
    inv.note = note
    inv.confirmed_at = now_utc() if status != "pending" else None
    db.session.flush()


# ---------------------------------------------------------------- agenda

def add_item(conf: Conference, *, start_time: time | None, content: str, presenter: str = "",
             document: str = "", contribution: ConferenceContribution | None = None) -> ConferenceItem:
    content, presenter, document = clean(content), clean(presenter), clean(document)
    if not content:
        raise ConferenceError("Nhập nội dung.", "content")
    if len(content) > 500 or len(presenter) > 300 or len(document) > 300:
        raise ConferenceError("Nội dung tối đa 500, người trình bày và tài liệu tối đa 300 ký tự.", "content")
    last = max((i.position for i in conf.items), default=0)
    item = ConferenceItem(start_time=start_time, content=content, presenter=presenter, document=document,
                          position=last + 1, contribution=contribution)
    conf.items.append(item)
    db.session.flush()
    return item


def move_item(item: ConferenceItem, direction: str) -> None:
    items = sorted(item.conference.items, key=lambda i: (i.position, i.id))
    index = items.index(item)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    for pos, it in enumerate(items, start=1):
        it.position = pos
    db.session.flush()
    db.session.expire(item.conference, ["items"])   # reload in the new order


# ---------------------------------------------------------------- tham luận

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
    units = _units_in_scope(conf, unit_ids, actor)
    have = {c.unit_id for c in conf.contributions}
    added = []
    for unit in units:
        if unit.id in have:
            continue
        c = ConferenceContribution(unit=unit, topic=topic, deadline=deadline, state="invited")
        conf.contributions.append(c)
        added.append(c)
    db.session.flush()
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
    from danvan.core.files import Attachment

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
    if not organises(actor, c.conference):
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


# ---------------------------------------------------------------- documents and numbers

def issuer_parts(unit: Unit) -> tuple[str, str]:
    """(superior body, issuing body) as printed top left, upper case."""
    parent = unit.parent
    if unit.kind == "ban" and parent is not None:
        name = unit.name
        if name.endswith(parent.name):
            name = name[: -len(parent.name)].strip()
        else:
            prefix = " ".join(parent.name.split()[:2])     # "Tỉnh ủy", "Huyện ủy", "Thành ủy"
            if name.endswith(prefix):
                name = name[: -len(prefix)].strip()
        return parent.name.upper(), name.upper()
    if unit.kind == "xa":
        return (parent.name.upper() if parent else ""), f"ĐẢNG ỦY {unit.name.upper()}"
    return (parent.name.upper() if parent else ""), unit.name.upper()


def place_of(unit: Unit, default: str) -> str:
    for u in (unit, unit.parent):
        if u is None or u.kind not in ("huyen_uy", "xa"):
            continue
        words = u.name.split()
        return " ".join(words[2:] if u.kind == "huyen_uy" else words[1:]) or default
    return default


def issue(conf: Conference, key: str, *, actor) -> ConferenceDocument:
    """Take the next number for the document (once); refuse what is not ready to issue."""
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
    issued_on = today_local()
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


# ---------------------------------------------------------------- dashboard

PANEL_ROWS = 8


@dataclasses.dataclass
class PanelRow:
    """An upcoming conference seen from the user's unit, with what the unit still has to do."""

    conf: Conference
    organiser: bool = False
    invitees: list[ConferenceInvitee] = dataclasses.field(default_factory=list)     # my units' invitations
    points: list[ConferencePoint] = dataclasses.field(default_factory=list)         # my units' điểm cầu
    to_send: list[ConferenceContribution] = dataclasses.field(default_factory=list)    # tham luận my units owe
    to_review: list[ConferenceContribution] = dataclasses.field(default_factory=list)  # sent to me, the organiser
    sent: list[ConferenceContribution] = dataclasses.field(default_factory=list)  # my tham luận already sent
    stats: dict[str, int] = dataclasses.field(default_factory=dict)                # organiser: replies so far

    @property
    def to_confirm(self) -> list[ConferenceInvitee]:
        return [i for i in self.invitees if i.status == "pending"]

    @property
    def roles(self) -> list[str]:
        return ([*(["Đơn vị tổ chức"] if self.organiser else []), *(["Được mời"] if self.invitees else []),
                 *(["Điểm cầu"] if self.points else [])])


def my_unit_ids(user) -> list[int]:
    """The units the user acts for: their committee and its advisory bans (a commune: itself)."""
    root = scope_root(user.unit)
    return list(db.session.scalars(sa.select(Unit.id).where(sa.or_(
        Unit.id == root.id, sa.and_(Unit.parent_id == root.id, Unit.kind.in_(ADVISORY_KINDS))))))


def panel_context(user) -> dict:
    """Upcoming conferences my units organise, are invited to or host a điểm cầu of, with pending
    actions: confirm attendance, tham luận to send (with deadline), tham luận to review.
    A fixed number of queries (seven), whatever the number of conferences."""
    if not access.has_permission(user, "conferences.view"):
        return {}
    mine = set(my_unit_ids(user))
    involved = sa.or_(
        Conference.unit_id.in_(mine),
        Conference.id.in_(sa.select(ConferenceInvitee.conference_id).where(ConferenceInvitee.unit_id.in_(mine))),
        Conference.id.in_(sa.select(ConferencePoint.conference_id).where(ConferencePoint.unit_id.in_(mine))),
        Conference.id.in_(sa.select(ConferenceContribution.conference_id)
                          .where(ConferenceContribution.unit_id.in_(mine))))
    confs = list(db.session.scalars(
        sa.select(Conference).where(Conference.archived_at.is_(None), Conference.ends_at >= now_utc(), involved)
        .order_by(Conference.starts_at, Conference.id)))
    if not confs:
        return {}
    can_edit = access.has_permission(user, "conferences.edit")
    rows = {c.id: PanelRow(conf=c, organiser=c.unit_id in mine) for c in confs}
    ids, organised = list(rows), [c.id for c in confs if c.unit_id in mine]
    for inv in db.session.scalars(sa.select(ConferenceInvitee).where(
            ConferenceInvitee.conference_id.in_(ids), ConferenceInvitee.unit_id.in_(mine))
            .order_by(ConferenceInvitee.id)):
        rows[inv.conference_id].invitees.append(inv)
    for point in db.session.scalars(sa.select(ConferencePoint).where(
            ConferencePoint.conference_id.in_(ids), ConferencePoint.unit_id.in_(mine)).order_by(ConferencePoint.id)):
        rows[point.conference_id].points.append(point)
    for c in db.session.scalars(sa.select(ConferenceContribution).where(
            ConferenceContribution.conference_id.in_(ids),
            sa.or_(ConferenceContribution.unit_id.in_(mine),
                   sa.and_(ConferenceContribution.conference_id.in_(organised),
                           ConferenceContribution.state == "submitted")))
            .order_by(ConferenceContribution.deadline, ConferenceContribution.id)):
        row = rows[c.conference_id]
        if c.unit_id in mine and c.state in ("invited", "returned"):
            row.to_send.append(c)
        elif c.state == "submitted" and row.organiser:
            if can_edit:      # reviewing is an officer's or leader's work, not a viewer's
                row.to_review.append(c)
        elif c.unit_id in mine:
            row.sent.append(c)
    if organised:
        for cid, total, confirmed, delegates in db.session.execute(
                sa.select(ConferenceInvitee.conference_id, sa.func.count(),
                          sa.func.sum(sa.case((ConferenceInvitee.status == "confirmed", 1), else_=0)),
                          sa.func.sum(ConferenceInvitee.delegates))
                .where(ConferenceInvitee.conference_id.in_(organised)).group_by(ConferenceInvitee.conference_id)):
            rows[cid].stats.update(invited=total, confirmed=int(confirmed or 0), delegates=int(delegates or 0))
        for cid, total, accepted in db.session.execute(
                sa.select(ConferenceContribution.conference_id, sa.func.count(),
                          sa.func.sum(sa.case((ConferenceContribution.state == "accepted", 1), else_=0)))
                .where(ConferenceContribution.conference_id.in_(organised))
                .group_by(ConferenceContribution.conference_id)):
            rows[cid].stats.update(papers=total, accepted=int(accepted or 0))
    ordered = list(rows.values())
    return {
        "rows": ordered[:PANEL_ROWS], "more": max(0, len(ordered) - PANEL_ROWS), "total": len(ordered),
        "confirm": sum(len(r.to_confirm) for r in ordered), "send": sum(len(r.to_send) for r in ordered),
        "review": sum(len(r.to_review) for r in ordered), "today": today_local(),
        "can_edit": can_edit,
    }

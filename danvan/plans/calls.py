"""Calls for submissions (yêu cầu nộp): the service other features reuse.

A unit asks target units in its subtree to file something by a deadline; each target's answer
is a Submission row pointing at any object; the tracking page derives who filed on time, late,
was returned, was approved or is missing. Nothing is counted by hand.

API (all functions only flush; the request or the CLI command commits):

    from danvan.plans import calls

    call = calls.create_call(issuer_unit, {
        "title": "Đăng ký mô hình “Dân vận khéo” năm 2024",
        "kind": "initiative_registration",       # or "document" (default) with "type_code": "BC"
        "deadline": date(2024, 3, 31),           # the whole day counts, Asia/Ho_Chi_Minh
        "description": "…",
    }, targets=[unit, …], actor=user)            # CallError(message, field) on bad input
    calls.extend_deadline(call, unit, date(2024, 4, 5), actor=user)    # per-unit extension
    calls.archive_call(call, actor=user) / calls.restore_call(call, actor=admin)   # close / reopen

    # when the feature's object answers the call (any model with .id):
    calls.record_submission(call, unit, registration, actor=user, state="submitted")
    # whenever that object moves in its own workflow:
    calls.update_submission_state(registration, "returned")   # draft/submitted/returned/approved/withdrawn
    calls.register_object_link("Initiative", "initiatives.detail", "initiative_id")  # tracking links

    t = calls.tracking(call)       # constant number of queries, whatever the number of targets
    t.rows                         # [TrackingRow(unit, status, status_label, deadline, submitted_at, late, …)]
    t.counts                       # {"total", "submitted", "late", "on_time", "returned", "approved", "missing"}
    t.summary                      # "11/11 đơn vị đã nộp, 2 nộp muộn"

    calls.my_calls(user)           # [(call, TrackingRow)] of the user's committee, two queries
    calls.calls_for_target(user) / calls.open_calls_for_unit(unit, kind=…)   # what a target must answer
    calls.send_reminders(today=None) -> int   # 3 days before, and once overdue; `flask send-reminders`
    calls.remind_missing(call, actor=user) -> int   # the tracking page's button, once a day per unit

`unit` given to record_submission may be the target itself or one of its advisory bans (a
district's report is filed by its Ban Dân vận): `target_for()` maps it to the target.
Notifications go to the officers and leaders serving each target (notifications.service:
`notify(recipients, title, kind=, link=, obj=)`, `users_serving(units, roles)`, `approvers_of(unit)`).
Documents answering a call: `plans.documents.create_document(unit, {..., "call": call}, actor=…)`
records the submission and mirrors its workflow state automatically.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for
from sqlalchemy.exc import IntegrityError

from danvan.core import audit
from danvan.core.numbering import TYPE_CODES
from danvan.core.units import ADVISORY_KINDS, Unit, scope_root
from danvan.core.vntext import TZ, fmt_date, fold, now_utc, today_local
from danvan.extensions import db
from danvan.notifications import service as notifications
from danvan.plans.models import PlanCall, PlanCallTarget, PlanReminder, PlanSubmission

KINDS: dict[str, str] = {
    "document": "Văn bản (kế hoạch, báo cáo…)",
    "initiative_registration": "Đăng ký mô hình “Dân vận khéo”",
}
SUBMISSION_STATES = ("draft", "submitted", "returned", "approved", "withdrawn")
STATUS_LABELS: dict[str, str] = {
    "missing": "Chưa nộp",
    "on_time": "Đã nộp đúng hạn",
    "late": "Nộp muộn",
    "returned": "Bị trả lại",
    "approved": "Đã duyệt",
}
REMIND_DAYS_BEFORE = 3
# An overdue reminder is not started for calls whose deadline passed longer ago than this.
REMIND_OVERDUE_WINDOW = 30
MAX_TARGETS = 2000


class CallError(Exception):
    def __init__(self, message: str, field: str | None = None, status: int = 422):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


def register_kind(kind: str, label: str) -> None:
    """Another feature declares the kind of call it answers (shown in lists)."""
    KINDS[kind] = label


_object_links: dict[str, tuple[str, str]] = {}


def register_object_link(object_type: str, endpoint: str, arg: str) -> None:
    """How the tracking page links to a submitted object: url_for(endpoint, **{arg: id})."""
    _object_links[object_type] = (endpoint, arg)


def link(endpoint: str, **values) -> str:
    """url_for that also works outside a request (CLI, services called from tests)."""
    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context():
        return url_for(endpoint, **values)


def object_url(object_type: str, object_id: int) -> str | None:
    target = _object_links.get(object_type)
    if target is None:
        return None
    return link(target[0], **{target[1]: object_id})


# deadlines --------------------------------------------------------------------------

def deadline_end(day: date) -> datetime:
    """The first instant after the deadline day, in UTC: the whole day counts in Vietnam."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=TZ).astimezone(now_utc().tzinfo)


def served_unit(unit: Unit) -> Unit:
    """The committee a unit works for: a ban files for its committee."""
    if unit.kind in ADVISORY_KINDS and unit.parent is not None:
        return unit.parent
    return unit


# creating calls ---------------------------------------------------------------------

def allowed_targets(issuer_unit: Unit) -> sa.Select:
    """Open units a call from `issuer_unit` may target: strictly under its committee, not bans."""
    root = scope_root(issuer_unit)
    return (sa.select(Unit)
            .where(Unit.path.startswith(root.path, autoescape=True), Unit.id != root.id,
                   Unit.valid_to.is_(None), Unit.kind.notin_(ADVISORY_KINDS))
            .order_by(Unit.path))


def _check_targets(issuer_unit: Unit, targets: Iterable[Unit]) -> list[Unit]:
    root = scope_root(issuer_unit)
    out: dict[int, Unit] = {}
    for unit in targets:
        if unit is None or not root.contains(unit) or unit.id == root.id or unit.kind in ADVISORY_KINDS:
            name = getattr(unit, "name", "?")
            raise CallError(f"Đơn vị «{name}» không thuộc phạm vi đơn vị mình; chỉ gửi yêu cầu cho "
                            "các đơn vị cấp dưới.", "targets", 403 if unit is not None else 422)
        if not unit.is_open:
            raise CallError(f"Đơn vị «{unit.name}» đã giải thể hoặc sáp nhập.", "targets")
        out[unit.id] = unit
    if not out:
        raise CallError("Chọn ít nhất một đơn vị nhận yêu cầu.", "targets")
    if len(out) > MAX_TARGETS:
        raise CallError("Quá nhiều đơn vị nhận.", "targets")
    return list(out.values())


def _clean(data: dict, *, new: bool) -> dict:
    title = (data.get("title") or "").strip()
    if not title:
        raise CallError("Nhập tên yêu cầu.", "title")
    if len(title) > 300:
        raise CallError("Tên yêu cầu tối đa 300 ký tự.", "title")
    kind = data.get("kind") or "document"
    if kind not in KINDS:
        raise CallError("Loại yêu cầu không hợp lệ.", "kind")
    type_code = data.get("type_code") or ""
    if kind == "document" and type_code not in TYPE_CODES:
        raise CallError("Chọn loại văn bản cần nộp.", "type_code")
    if kind != "document":
        type_code = type_code if type_code in TYPE_CODES else ""
    deadline = data.get("deadline")
    if not isinstance(deadline, date):
        raise CallError("Nhập hạn nộp (dd/mm/yyyy).", "deadline")
    if new and deadline < today_local():
        raise CallError(f"Hạn nộp {fmt_date(deadline)} đã qua; chọn từ hôm nay trở đi.", "deadline")
    description = (data.get("description") or "").strip()
    if len(description) > 10000:
        raise CallError("Nội dung yêu cầu tối đa 10.000 ký tự.", "description")
    return {"title": title, "kind": kind, "type_code": type_code, "deadline": deadline,
            "description": description}


def create_call(issuer_unit: Unit, data: dict, targets: list[Unit], *, actor, notify: bool = True) -> PlanCall:
    clean = _clean(data, new=True)
    units = _check_targets(issuer_unit, targets)
    call = PlanCall(unit=issuer_unit, search_key=fold(clean["title"]),
                    created_by_id=getattr(actor, "id", None), **clean)
    call.targets = [PlanCallTarget(unit=u) for u in units]
    db.session.add(call)
    db.session.flush()
    audit.record(actor, "call_create", call, {"targets": (None, len(units))})
    if notify:
        notifications.notify(
            notifications.users_serving(units), f"Yêu cầu nộp mới: {call.title} (hạn {fmt_date(call.deadline)})",
            kind="call_new", link=link("plans.call_detail", call_id=call.id), obj=call, exclude=actor)
    return call


def update_call(call: PlanCall, data: dict, *, actor) -> PlanCall:
    clean = _clean(data, new=data.get("deadline") != call.deadline)
    for key, value in clean.items():
        setattr(call, key, value)
    call.search_key = fold(call.title)
    db.session.flush()
    return call


def extend_deadline(call: PlanCall, unit: Unit, until: date | None, *, actor) -> PlanCallTarget:
    target = target_for(call, unit)
    if target is None:
        raise CallError("Đơn vị này không nằm trong danh sách nhận yêu cầu.", "unit", 404)
    if until is not None and until < call.deadline:
        raise CallError("Ngày gia hạn phải sau hạn chung.", "extended_until")
    before = target.extended_until
    target.extended_until = until
    audit.record(actor, "call_extend", call, {f"gia_han:{target.unit_id}": (before, until)})
    db.session.flush()
    return target


def issuing_committee(user, call: PlanCall) -> bool:
    """The user works for the committee that issued the call (its own staff or its bans')."""
    return scope_root(user.unit).id == scope_root(call.unit).id


def archive_call(call: PlanCall, *, actor) -> None:
    """Close a call (soft delete): it leaves targets' lists, dashboards and reminders; its
    tracking stays readable. Submissions are kept; `restore_call` reopens it."""
    if call.archived_at is not None:
        raise CallError("Yêu cầu này đã được đóng trước đó.", "call", 409)
    call.archived_at = now_utc()
    audit.record(actor, "call_archive", call, {"archived_at": (None, call.archived_at)})
    db.session.flush()


def restore_call(call: PlanCall, *, actor) -> None:
    if call.archived_at is None:
        raise CallError("Yêu cầu này đang mở, không cần khôi phục.", "call", 409)
    before, call.archived_at = call.archived_at, None
    audit.record(actor, "call_restore", call, {"archived_at": (before, None)})
    db.session.flush()


# submissions ------------------------------------------------------------------------

def target_for(call: PlanCall, unit: Unit) -> PlanCallTarget | None:
    """The call's target answered by `unit` (the unit itself, or the committee a ban serves)."""
    ids = {unit.id, served_unit(unit).id}
    return db.session.scalar(sa.select(PlanCallTarget).where(PlanCallTarget.call_id == call.id,
                                                             PlanCallTarget.unit_id.in_(ids)))


def record_submission(call: PlanCall, unit: Unit, obj, *, actor=None, state: str = "submitted",
                      at: datetime | None = None) -> PlanSubmission:
    """Link `obj` to the call as `unit`'s answer (idempotent), with its current state."""
    if call.archived_at is not None:
        raise CallError("Yêu cầu này đã đóng.", "call", 409)
    target = target_for(call, unit)
    if target is None:
        raise CallError("Đơn vị của bạn không nằm trong danh sách nhận yêu cầu này.", "call", 403)
    object_type = type(obj).__name__
    sub = db.session.scalar(sa.select(PlanSubmission).where(
        PlanSubmission.call_id == call.id, PlanSubmission.object_type == object_type,
        PlanSubmission.object_id == obj.id))
    if sub is None:
        sub = PlanSubmission(call_id=call.id, unit_id=target.unit_id, object_type=object_type,
                             object_id=obj.id, state="draft")
        db.session.add(sub)
    _set_state(sub, state, at)
    db.session.flush()
    return sub


def _set_state(sub: PlanSubmission, state: str, at: datetime | None) -> None:
    if state not in SUBMISSION_STATES:
        raise ValueError(f"unknown submission state {state!r}")
    at = at or now_utc()
    sub.state = state
    sub.updated_at = at
    if state == "submitted":
        if sub.submitted_at is None:
            sub.submitted_at = at
        sub.last_submitted_at = at


def update_submission_state(obj, state: str, *, object_type: str | None = None,
                            at: datetime | None = None) -> list[PlanSubmission]:
    """Mirror the object's workflow state on every submission that points at it."""
    subs = list(db.session.scalars(sa.select(PlanSubmission).where(
        PlanSubmission.object_type == (object_type or type(obj).__name__),
        PlanSubmission.object_id == obj.id)))
    for sub in subs:
        _set_state(sub, state, at)
    db.session.flush()
    return subs


# tracking ---------------------------------------------------------------------------

@dataclass
class TrackingRow:
    unit: Unit
    target: PlanCallTarget
    deadline: date
    status: str = "missing"
    submitted_at: datetime | None = None
    late: bool = False
    objects: list[tuple[str, int, str, str | None]] = field(default_factory=list)  # type, id, state, url

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def has_filed(self) -> bool:
        return self.status in ("on_time", "late", "approved")

    @property
    def missing(self) -> bool:
        return self.status in ("missing", "returned")

    @property
    def days_late(self) -> int:
        if not self.late or self.submitted_at is None:
            return 0
        return (self.submitted_at.astimezone(TZ).date() - self.deadline).days


@dataclass
class Tracking:
    call: PlanCall
    rows: list[TrackingRow]
    counts: dict[str, int]

    @property
    def summary(self) -> str:
        c = self.counts
        return f"{c['submitted']}/{c['total']} đơn vị đã nộp, {c['late']} nộp muộn"

    def filtered(self, status: str | None) -> list[TrackingRow]:
        if not status:
            return self.rows
        if status == "late":
            return [r for r in self.rows if r.late]
        if status == "submitted":
            return [r for r in self.rows if r.has_filed]
        return [r for r in self.rows if r.status == status]


def _status(row: TrackingRow, subs: list[PlanSubmission]) -> None:
    live = [s for s in subs if s.state not in ("draft", "withdrawn")]
    firsts = [s.submitted_at for s in live if s.submitted_at is not None]
    row.submitted_at = min(firsts) if firsts else None
    if any(s.state == "approved" for s in live):
        row.status = "approved"
    elif any(s.state == "submitted" for s in live):
        row.status = "on_time"
    elif any(s.state == "returned" for s in live):
        row.status = "returned"
    else:
        row.status = "missing"
    row.late = row.submitted_at is not None and row.submitted_at >= deadline_end(row.deadline)
    if row.status == "on_time" and row.late:
        row.status = "late"
    row.objects = [(s.object_type, s.object_id, s.state, object_url(s.object_type, s.object_id))
                   for s in subs if s.state != "withdrawn"]


def _rows_for(call_ids: list[int], calls_by_id: dict[int, PlanCall]) -> dict[int, list[TrackingRow]]:
    """Tracking rows of many calls: two queries in all."""
    targets = db.session.execute(
        sa.select(PlanCallTarget, Unit).join(Unit, Unit.id == PlanCallTarget.unit_id)
        .where(PlanCallTarget.call_id.in_(call_ids)).order_by(Unit.path)).all()
    subs = db.session.scalars(sa.select(PlanSubmission).where(PlanSubmission.call_id.in_(call_ids))
                              .order_by(PlanSubmission.id)).all()
    by_key: dict[tuple[int, int], list[PlanSubmission]] = {}
    for s in subs:
        by_key.setdefault((s.call_id, s.unit_id), []).append(s)
    out: dict[int, list[TrackingRow]] = {i: [] for i in call_ids}
    for target, unit in targets:
        call = calls_by_id[target.call_id]
        row = TrackingRow(unit=unit, target=target, deadline=target.extended_until or call.deadline)
        _status(row, by_key.get((target.call_id, target.unit_id), []))
        out[target.call_id].append(row)
    return out


def count(rows: list[TrackingRow]) -> dict[str, int]:
    c = {"total": len(rows), "submitted": 0, "late": 0, "on_time": 0, "returned": 0, "approved": 0, "missing": 0}
    for r in rows:
        c["submitted"] += r.has_filed
        c["late"] += r.late and r.has_filed
        c["on_time"] += r.has_filed and not r.late
        c["returned"] += r.status == "returned"
        c["approved"] += r.status == "approved"
        c["missing"] += r.status == "missing"
    return c


def tracking(call: PlanCall) -> Tracking:
    rows = _rows_for([call.id], {call.id: call})[call.id]
    return Tracking(call=call, rows=rows, counts=count(rows))


def summaries(calls: list[PlanCall]) -> dict[int, dict[str, int]]:
    """Counts for a page of calls, in two queries."""
    if not calls:
        return {}
    rows = _rows_for([c.id for c in calls], {c.id: c for c in calls})
    return {cid: count(r) for cid, r in rows.items()}


# what a unit must answer ------------------------------------------------------------

def calls_for_target(user) -> sa.Select:
    """Open calls whose targets include the committee the user works for."""
    unit = served_unit(user.unit)
    return (sa.select(PlanCall).join(PlanCallTarget, PlanCallTarget.call_id == PlanCall.id)
            .where(PlanCallTarget.unit_id == unit.id, PlanCall.archived_at.is_(None)))


def open_calls_for_unit(unit: Unit, *, kind: str | None = None) -> list[PlanCall]:
    unit = served_unit(unit)
    stmt = (sa.select(PlanCall).join(PlanCallTarget, PlanCallTarget.call_id == PlanCall.id)
            .where(PlanCallTarget.unit_id == unit.id, PlanCall.archived_at.is_(None)))
    if kind:
        stmt = stmt.where(PlanCall.kind == kind)
    return list(db.session.scalars(stmt.order_by(PlanCall.deadline, PlanCall.id)))


def my_calls(user) -> list[tuple[PlanCall, TrackingRow]]:
    """Open calls addressed to the user's committee, each with its status: two queries."""
    unit = served_unit(user.unit)
    pairs = db.session.execute(
        sa.select(PlanCall, PlanCallTarget).join(PlanCallTarget, PlanCallTarget.call_id == PlanCall.id)
        .where(PlanCallTarget.unit_id == unit.id, PlanCall.archived_at.is_(None))
        .order_by(PlanCall.deadline, PlanCall.id)).all()
    subs = db.session.scalars(sa.select(PlanSubmission).where(
        PlanSubmission.unit_id == unit.id, PlanSubmission.call_id.in_([c.id for c, _ in pairs]))
        .order_by(PlanSubmission.id)).all()
    by_call: dict[int, list[PlanSubmission]] = {}
    for s in subs:
        by_call.setdefault(s.call_id, []).append(s)
    out = []
    for call, target in pairs:
        row = TrackingRow(unit=unit, target=target, deadline=target.extended_until or call.deadline)
        _status(row, by_call.get(call.id, []))
        out.append((call, row))
    return out


def my_target_status(user, call_ids: list[int]) -> dict[int, TrackingRow]:
    """For each call, the tracking row of the user's own committee (two queries)."""
    if not call_ids:
        return {}
    unit = served_unit(user.unit)
    calls_by_id = {c.id: c for c in db.session.scalars(sa.select(PlanCall).where(PlanCall.id.in_(call_ids)))}
    rows = _rows_for(call_ids, calls_by_id)
    out = {}
    for cid, rs in rows.items():
        for r in rs:
            if r.unit.id == unit.id:
                out[cid] = r
    return out


# reminders --------------------------------------------------------------------------

def _remind(pairs: list[tuple[PlanCall, TrackingRow, str, str]], *, actor=None) -> int:
    """Record and send reminders; a (call, unit, kind) already recorded is skipped."""
    if not pairs:
        return 0
    call_ids = sorted({c.id for c, _, _, _ in pairs})
    done = set(db.session.execute(sa.select(PlanReminder.call_id, PlanReminder.unit_id, PlanReminder.kind)
                                  .where(PlanReminder.call_id.in_(call_ids))).all())
    todo = [(c, r, k, kind) for c, r, k, kind in pairs if (c.id, r.unit.id, k) not in done]
    if not todo:
        return 0
    recipients = notifications.users_serving_map([r.unit.id for _, r, _, _ in todo])
    sent = 0
    for call, row, key, kind in todo:
        try:
            with db.session.begin_nested():
                db.session.add(PlanReminder(call_id=call.id, unit_id=row.unit.id, kind=key, sent_at=now_utc(),
                                            sent_by_id=getattr(actor, "id", None)))
                db.session.flush()
        except IntegrityError:   # another run recorded it at the same moment
            continue
        if kind == "overdue":
            title = f"Quá hạn nộp: {call.title} (hạn {fmt_date(row.deadline)})"
        elif kind == "deadline_soon":
            title = f"Sắp đến hạn nộp: {call.title} (hạn {fmt_date(row.deadline)})"
        else:
            title = f"Nhắc nộp: {call.title} (hạn {fmt_date(row.deadline)})"
        notifications.notify(recipients.get(row.unit.id, []), title, kind=kind,
                             link=link("plans.call_detail", call_id=call.id), obj=call)
        sent += 1
    return sent


def send_reminders(today: date | None = None) -> int:
    """Send what is due: 3 days before the deadline, and once it has passed, to every target
    still missing. Each (call, unit, kind) is recorded, so a second run sends nothing and a run
    after a missed day catches up; a call moved into the past gets no 'sắp đến hạn'."""
    today = today or today_local()
    stmt = (sa.select(PlanCall).join(PlanCallTarget, PlanCallTarget.call_id == PlanCall.id)
            .where(PlanCall.archived_at.is_(None),
                   sa.func.coalesce(PlanCallTarget.extended_until, PlanCall.deadline)
                   <= today + timedelta(days=REMIND_DAYS_BEFORE),
                   sa.func.coalesce(PlanCallTarget.extended_until, PlanCall.deadline)
                   >= today - timedelta(days=REMIND_OVERDUE_WINDOW))
            .distinct())
    calls = list(db.session.scalars(stmt))
    if not calls:
        return 0
    rows = _rows_for([c.id for c in calls], {c.id: c for c in calls})
    pairs = []
    for call in calls:
        for row in rows[call.id]:
            if not row.missing:
                continue
            if today > row.deadline:
                if (today - row.deadline).days <= REMIND_OVERDUE_WINDOW:
                    pairs.append((call, row, f"overdue:{row.deadline.isoformat()}", "overdue"))
            elif (row.deadline - today).days <= REMIND_DAYS_BEFORE:
                pairs.append((call, row, f"soon:{row.deadline.isoformat()}", "deadline_soon"))
    return _remind(pairs)


def remind_missing(call: PlanCall, *, actor, today: date | None = None) -> int:
    """The tracking page's button: remind every target still missing, at most once a day each."""
    today = today or today_local()
    t = tracking(call)
    pairs = [(call, row, f"manual:{today.isoformat()}", "reminder") for row in t.rows if row.missing]
    sent = _remind(pairs, actor=actor)
    audit.record(actor, "call_remind", call, {"nhac": (None, sent)})
    return sent

"""Creating, changing and closing calls; recording what answers them; finding a unit's calls.

Every function only flushes: the request or the CLI command commits."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from danvan.calls.kinds import default_kind, get_kind
from danvan.calls.models import SUBMISSION_STATES, Call, CallChange, CallSubmission, CallTarget
from danvan.core import audit
from danvan.core.errors import ServiceError
from danvan.core.htmx import link
from danvan.core.numbering import TYPE_CODES
from danvan.core.units import ADVISORY_KINDS, Unit, scope_root
from danvan.core.vntext import TZ, fmt_date, fold, now_utc, today_local
from danvan.extensions import db
from danvan.notifications import service as notifications

MAX_TARGETS = 2000


class CallError(ServiceError):
    """Refused input: message for the user, field, HTTP status."""


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


def check_targets(issuer_unit: Unit, targets: Iterable[Unit]) -> list[Unit]:
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


def clean_call(data: dict, *, new: bool) -> dict:
    """Validated call fields; `year` defaults to the deadline's year."""
    title = (data.get("title") or "").strip()
    if not title:
        raise CallError("Nhập tên yêu cầu.", "title")
    if len(title) > 300:
        raise CallError("Tên yêu cầu tối đa 300 ký tự.", "title")
    kind = get_kind(data.get("kind") or default_kind() or "")
    if kind is None:
        raise CallError("Loại yêu cầu không hợp lệ.", "kind")
    type_code = data.get("type_code") or ""
    if kind.type_codes and type_code not in TYPE_CODES:
        raise CallError("Chọn loại văn bản cần nộp.", "type_code")
    if not kind.type_codes or type_code not in TYPE_CODES:
        # A kind that is not a document names no type (the form's hidden select keeps its default).
        type_code = ""
    deadline = data.get("deadline")
    if not isinstance(deadline, date):
        raise CallError("Nhập hạn nộp (dd/mm/yyyy).", "deadline")
    if new and deadline < today_local():
        raise CallError(f"Hạn nộp {fmt_date(deadline)} đã qua; chọn từ hôm nay trở đi.", "deadline")
    year = data.get("year") or deadline.year
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise CallError("Năm của yêu cầu phải từ 2000 đến 2100.", "year")
    description = (data.get("description") or "").strip()
    if len(description) > 10000:
        raise CallError("Nội dung yêu cầu tối đa 10.000 ký tự.", "description")
    return {"title": title, "kind": kind.kind, "year": year, "type_code": type_code, "deadline": deadline,
            "description": description}


def create_call(issuer_unit: Unit, data: dict, targets: list[Unit], *, actor, notify: bool = True) -> Call:
    clean = clean_call(data, new=True)
    units = check_targets(issuer_unit, targets)
    call = Call(unit=issuer_unit, search_key=fold(clean["title"]), created_by_id=getattr(actor, "id", None), **clean)
    call.targets = [CallTarget(unit=u) for u in units]
    db.session.add(call)
    db.session.flush()
    audit.record(actor, "call_create", call, {"targets": (None, len(units))})
    if notify:
        notifications.notify(
            notifications.users_serving(units),
            f"Yêu cầu nộp mới ({call.asks_for}): {call.title} (hạn {fmt_date(call.deadline)})",
            kind="call_new", link=link("calls.detail", call_id=call.id), obj=call, exclude=actor)
    return call


def update_call(call: Call, data: dict, *, actor) -> Call:
    """Title, kind, year, description. The deadline changes only through `change_deadline`
    (a reason, the call's history, a notice to every target)."""
    clean = clean_call({**data, "deadline": call.deadline}, new=False)
    for key, value in clean.items():
        setattr(call, key, value)
    call.search_key = fold(call.title)
    db.session.flush()
    return call


MAX_REASON = 1000


def _check_move(before: date, after: date, field: str) -> None:
    """A deadline may be relaxed at any time, tightened only from today on: moving it earlier
    into the past would make units late that sent on time by the date they were given."""
    if not 2000 <= after.year <= 2100:
        raise CallError("Năm của hạn nộp phải từ 2000 đến 2100.", field)
    if after < before and after < today_local():
        raise CallError(f"Không đưa hạn về {fmt_date(after)}, sớm hơn hạn đang áp dụng ({fmt_date(before)}) và đã "
                        "qua: đơn vị đã nộp theo hạn cũ sẽ bị tính muộn. Hạn sớm hơn phải từ hôm nay trở đi.", field)


def _clean_reason(reason: str | None, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise CallError("Nhập lý do đổi hạn nộp (các đơn vị nhận sẽ đọc lý do này).", "reason")
    if len(reason) > MAX_REASON:
        raise CallError(f"Lý do tối đa {MAX_REASON:,} ký tự.".replace(",", "."), "reason")
    return reason


def _history(call: Call, unit: Unit | None, before: date | None, after: date | None, reason: str, actor) -> None:
    db.session.add(CallChange(call_id=call.id, unit_id=unit.id if unit is not None else None, before=before,
                              after=after, reason=reason, actor_id=getattr(actor, "id", None), at=now_utc()))


def _check_open(call: Call) -> None:
    if call.archived_at is not None:
        raise CallError("Yêu cầu này đã đóng: không đổi được hạn nộp.", "deadline", 409)


def change_deadline(call: Call, new: date | None, reason: str | None, *, actor) -> Call:
    """Correct the general deadline after the call was sent, with a reason every target reads.

    Tracking derives on time / late from the deadline when it is read, so it follows at once.
    A target's own later date (an extension) that the new deadline reaches or passes is
    superseded and dropped; an own earlier date stays (it was set on purpose)."""
    _check_open(call)
    if not isinstance(new, date):
        raise CallError("Nhập hạn nộp mới (dd/mm/yyyy).", "deadline")
    reason = _clean_reason(reason, required=True)
    before = call.deadline
    if new == before:
        raise CallError(f"Hạn nộp mới trùng hạn hiện tại ({fmt_date(before)}).", "deadline")
    _check_move(before, new, "deadline")
    call.deadline = new
    _history(call, None, before, new, reason, actor)
    dropped = []
    for target in call.targets:
        if target.extended_until is not None and before < target.extended_until <= new:
            _history(call, target.unit, target.extended_until, None,
                     f"Hạn chung mới ({fmt_date(new)}) không sớm hơn ngày gia hạn riêng.", actor)
            dropped.append(target.unit_id)
            target.extended_until = None
    audit.record(actor, "call_deadline", call, {"deadline": (before, new), "ly_do": (None, reason),
                                                "bo_gia_han": (None, len(dropped))})
    db.session.flush()
    url = link("calls.detail", call_id=call.id)
    own = {t.unit_id: t.extended_until for t in call.targets if t.extended_until is not None}
    title = f"Đổi hạn nộp: {call.title} — từ {fmt_date(before)} thành {fmt_date(new)}"
    notifications.notify(notifications.users_serving([t.unit for t in call.targets if t.unit_id not in own]),
                         title, kind="call_deadline", link=url, body=f"Lý do: {reason}", obj=call, exclude=actor)
    for unit_id, day in own.items():
        notifications.notify(notifications.users_serving([unit_id]), title, kind="call_deadline", link=url,
                             body=f"Lý do: {reason}. Hạn riêng của đơn vị vẫn là {fmt_date(day)}.", obj=call,
                             exclude=actor)
    return call


def extend_deadline(call: Call, unit: Unit, until: date | None, *, actor, reason: str | None = None) -> CallTarget:
    """Give one target its own deadline (`None`: back to the general one). Later than the general
    deadline is an extension; earlier is allowed too (a unit asked to send first, e.g. before an
    inspection visit), but only from today on, like any deadline brought forward."""
    _check_open(call)
    target = target_for(call, unit)
    if target is None:
        raise CallError("Đơn vị này không nằm trong danh sách nhận yêu cầu.", "unit", 404)
    reason = _clean_reason(reason, required=False)
    before = target.extended_until
    if until is not None:
        if until == call.deadline:
            until = None     # the general deadline itself: no own date to keep
        else:
            _check_move(before or call.deadline, until, "extended_until")
    if until == before:
        raise CallError("Hạn của đơn vị không thay đổi.", "extended_until")
    target.extended_until = until
    _history(call, target.unit, before, until, reason, actor)
    audit.record(actor, "call_extend", call, {f"gia_han:{target.unit_id}": (before, until)})
    db.session.flush()
    day = until or call.deadline
    notifications.notify(notifications.users_serving([target.unit_id]),
                         f"Hạn nộp của đơn vị: {call.title} — {fmt_date(day)}", kind="call_deadline",
                         link=link("calls.detail", call_id=call.id), body=reason, obj=call, exclude=actor)
    return target


def deadline_history(call: Call, unit: Unit | None = None) -> list[CallChange]:
    """Changes of the call's deadlines, newest first; with `unit`, only the general ones and that
    unit's own (a target does not read the others' extensions). One query."""
    stmt = (sa.select(CallChange).where(CallChange.call_id == call.id)
            .options(joinedload(CallChange.unit), joinedload(CallChange.actor))
            .order_by(CallChange.at.desc(), CallChange.id.desc()))
    if unit is not None:
        stmt = stmt.where(sa.or_(CallChange.unit_id.is_(None), CallChange.unit_id == served_unit(unit).id))
    return list(db.session.scalars(stmt))


def issuing_committee(user, call: Call) -> bool:
    """The user works for the committee that issued the call (its own staff or its bans')."""
    return scope_root(user.unit).id == scope_root(call.unit).id


def archive_call(call: Call, *, actor) -> None:
    """Close a call (soft delete): it leaves targets' lists, dashboards and reminders; its
    tracking stays readable. Submissions are kept; `restore_call` reopens it."""
    if call.archived_at is not None:
        raise CallError("Yêu cầu này đã được đóng trước đó.", "call", 409)
    call.archived_at = now_utc()
    audit.record(actor, "call_archive", call, {"archived_at": (None, call.archived_at)})
    db.session.flush()


def restore_call(call: Call, *, actor) -> None:
    if call.archived_at is None:
        raise CallError("Yêu cầu này đang mở, không cần khôi phục.", "call", 409)
    before, call.archived_at = call.archived_at, None
    audit.record(actor, "call_restore", call, {"archived_at": (before, None)})
    db.session.flush()


# submissions ------------------------------------------------------------------------

def target_for(call: Call, unit: Unit) -> CallTarget | None:
    """The call's target answered by `unit` (the unit itself, or the committee a ban serves)."""
    ids = {unit.id, served_unit(unit).id}
    return db.session.scalar(sa.select(CallTarget).where(CallTarget.call_id == call.id,
                                                         CallTarget.unit_id.in_(ids)))


def record_submission(call: Call, unit: Unit, obj, *, actor=None, state: str = "submitted",
                      at: datetime | None = None) -> CallSubmission:
    """Link `obj` to the call as `unit`'s answer (idempotent), with its current state."""
    if call.archived_at is not None:
        raise CallError("Yêu cầu này đã đóng.", "call", 409)
    target = target_for(call, unit)
    if target is None:
        raise CallError("Đơn vị của bạn không nằm trong danh sách nhận yêu cầu này.", "call", 403)
    object_type = type(obj).__name__
    sub = db.session.scalar(sa.select(CallSubmission).where(
        CallSubmission.call_id == call.id, CallSubmission.object_type == object_type,
        CallSubmission.object_id == obj.id))
    if sub is None:
        sub = CallSubmission(call_id=call.id, unit_id=target.unit_id, object_type=object_type,
                             object_id=obj.id, state="draft")
        db.session.add(sub)
    _set_state(sub, state, at)
    db.session.flush()
    return sub


def _set_state(sub: CallSubmission, state: str, at: datetime | None) -> None:
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
                            at: datetime | None = None) -> list[CallSubmission]:
    """Mirror the object's workflow state on every submission that points at it."""
    subs = list(db.session.scalars(sa.select(CallSubmission).where(
        CallSubmission.object_type == (object_type or type(obj).__name__),
        CallSubmission.object_id == obj.id)))
    for sub in subs:
        _set_state(sub, state, at)
    db.session.flush()
    return subs


def answer_open_calls(unit: Unit, kind: str, year: int, obj, *, actor=None) -> int:
    """`obj` (just sent) answers every open call of `kind` and `year` targeting `unit`."""
    found = open_calls_for_unit(unit, kind=kind, year=year)
    for call in found:
        record_submission(call, unit, obj, actor=actor, state="submitted")
    return len(found)


# what a unit must answer, what a committee issued -----------------------------------

def calls_for_target(user) -> sa.Select:
    """Open calls whose targets include the committee the user works for."""
    unit = served_unit(user.unit)
    return (sa.select(Call).join(CallTarget, CallTarget.call_id == Call.id)
            .where(CallTarget.unit_id == unit.id, Call.archived_at.is_(None)))


def open_calls_for_unit(unit: Unit, *, kind: str | None = None, year: int | None = None) -> list[Call]:
    """Open calls targeting `unit` (or the committee it serves), optionally of one kind and year."""
    unit = served_unit(unit)
    stmt = (sa.select(Call).join(CallTarget, CallTarget.call_id == Call.id)
            .where(CallTarget.unit_id == unit.id, Call.archived_at.is_(None)))
    if kind:
        stmt = stmt.where(Call.kind == kind)
    if year:
        stmt = stmt.where(Call.year == year)
    return list(db.session.scalars(stmt.order_by(Call.deadline, Call.id)))


def issued_call(committee: Unit, kind: str, year: int) -> Call | None:
    """The latest open call of `kind` and `year` issued by `committee` or one of its bans."""
    issuers = sa.select(Unit.id).where(sa.or_(Unit.id == committee.id, sa.and_(
        Unit.parent_id == committee.id, Unit.kind.in_(ADVISORY_KINDS))))
    return db.session.scalar(sa.select(Call).where(
        Call.unit_id.in_(issuers), Call.kind == kind, Call.year == year, Call.archived_at.is_(None))
        .order_by(Call.id.desc()).limit(1))


def move_open_targets(old: Unit, new: Unit) -> int:
    """A merged unit's targets of open calls (and their submissions) pass to its successor,
    unless the successor is already a target; returns how many targets moved."""
    already = sa.select(CallTarget.call_id).where(CallTarget.unit_id == new.id)
    open_calls = sa.select(Call.id).where(Call.archived_at.is_(None))
    moved = db.session.execute(
        sa.update(CallTarget).where(CallTarget.unit_id == old.id, CallTarget.call_id.in_(open_calls),
                                    CallTarget.call_id.notin_(already))
        .values(unit_id=new.id)).rowcount or 0
    db.session.execute(sa.update(CallSubmission).where(CallSubmission.unit_id == old.id,
                                                       CallSubmission.call_id.in_(open_calls))
                       .values(unit_id=new.id))
    return moved

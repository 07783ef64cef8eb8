"""Deadline reminders: 3 days before, once overdue (`flask send-reminders`), and the tracking
page's button. Each (call, unit, kind) is recorded once, so reruns send nothing twice."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from danvan.calls.models import Call, CallReminder, CallTarget
from danvan.calls.tracking import TrackingRow, rows_for, tracking
from danvan.core import audit
from danvan.core.htmx import link
from danvan.core.vntext import fmt_date, now_utc, today_local
from danvan.extensions import db
from danvan.notifications import service as notifications

REMIND_DAYS_BEFORE = 3
# An overdue reminder is not started for calls whose deadline passed longer ago than this.
REMIND_OVERDUE_WINDOW = 30


def _remind(pairs: list[tuple[Call, TrackingRow, str, str]], *, actor=None) -> int:
    """Record and send reminders; a (call, unit, kind) already recorded is skipped."""
    if not pairs:
        return 0
    call_ids = sorted({c.id for c, _, _, _ in pairs})
    done = set(db.session.execute(sa.select(CallReminder.call_id, CallReminder.unit_id, CallReminder.kind)
                                  .where(CallReminder.call_id.in_(call_ids))).all())
    todo = [(c, r, k, kind) for c, r, k, kind in pairs if (c.id, r.unit.id, k) not in done]
    if not todo:
        return 0
    recipients = notifications.users_serving_map([r.unit.id for _, r, _, _ in todo])
    sent = 0
    for call, row, key, kind in todo:
        try:
            with db.session.begin_nested():
                db.session.add(CallReminder(call_id=call.id, unit_id=row.unit.id, kind=key, sent_at=now_utc(),
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
                             link=link("calls.detail", call_id=call.id), obj=call)
        sent += 1
    return sent


def send_reminders(today: date | None = None) -> int:
    """Send what is due: 3 days before the deadline, and once it has passed, to every target
    still missing. Each (call, unit, kind) is recorded, so a second run sends nothing and a run
    after a missed day catches up; a call moved into the past gets no 'sắp đến hạn'."""
    today = today or today_local()
    stmt = (sa.select(Call).join(CallTarget, CallTarget.call_id == Call.id)
            .where(Call.archived_at.is_(None),
                   sa.func.coalesce(CallTarget.extended_until, Call.deadline)
                   <= today + timedelta(days=REMIND_DAYS_BEFORE),
                   sa.func.coalesce(CallTarget.extended_until, Call.deadline)
                   >= today - timedelta(days=REMIND_OVERDUE_WINDOW))
            .distinct())
    calls = list(db.session.scalars(stmt))
    if not calls:
        return 0
    rows = rows_for([c.id for c in calls], {c.id: c for c in calls})
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


def remind_missing(call: Call, *, actor, today: date | None = None) -> int:
    """The tracking page's button: remind every target still missing, at most once a day each."""
    today = today or today_local()
    t = tracking(call)
    pairs = [(call, row, f"manual:{today.isoformat()}", "reminder") for row in t.rows if row.missing]
    sent = _remind(pairs, actor=actor)
    audit.record(actor, "call_remind", call, {"nhac": (None, sent)})
    return sent

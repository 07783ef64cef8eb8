"""Who answered a call: on time, late, returned, approved or missing, derived from the
submissions the features record; nothing is counted by hand. Constant number of queries."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from markupsafe import Markup

from danvan.calls.kinds import object_link
from danvan.calls.models import Call, CallChange, CallSubmission, CallTarget
from danvan.calls.service import deadline_end, served_unit
from danvan.core import cache
from danvan.core.htmx import link
from danvan.core.pagination import Page, paginate_rows
from danvan.core.units import Unit
from danvan.core.vntext import TZ, today_local
from danvan.extensions import db

# Tracking is derived from calls, their targets and submissions (all in this package: the "calls" data
# version) and the unit tree (names, paths): cached under both, so a write shows on the next read.
SCOPES = ("calls", "units")
cache.declare(*SCOPES)

STATUS_LABELS: dict[str, str] = {
    "missing": "Chưa nộp",
    "on_time": "Đã nộp đúng hạn",
    "late": "Nộp muộn",
    "returned": "Bị trả lại",
    "approved": "Đã duyệt",
}


def object_url(object_type: str, object_id: int) -> str | None:
    target = object_link(object_type)
    if target is None:
        return None
    return link(target[0], **{target[1]: object_id})


@dataclass
class TrackingRow:
    unit: Unit
    target: CallTarget
    deadline: date
    status: str = "missing"
    submitted_at: datetime | None = None
    late: bool = False
    objects: list[tuple[str, int, str, str | None]] = field(default_factory=list)  # type, id, state, url
    merged_from: list[Unit] = field(default_factory=list)   # «theo cơ cấu hiện tại»: the folded units

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
    def days_overdue(self) -> int:
        """Days past the deadline while nothing valid is filed (0: not overdue)."""
        return max(0, (today_local() - self.deadline).days) if self.missing else 0

    @property
    def days_late(self) -> int:
        if not self.late or self.submitted_at is None:
            return 0
        return (self.submitted_at.astimezone(TZ).date() - self.deadline).days


@dataclass
class Tracking:
    call: Call
    rows: list[TrackingRow]
    counts: dict[str, int]
    changes: int | None = None   # deadline changes of the call (cached_page counts them; None: not counted)

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


def _status(row: TrackingRow, subs: list[CallSubmission]) -> None:
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


def rows_for(call_ids: list[int], calls_by_id: dict[int, Call]) -> dict[int, list[TrackingRow]]:
    """Tracking rows of many calls: two queries in all."""
    targets = db.session.execute(
        sa.select(CallTarget, Unit).join(Unit, Unit.id == CallTarget.unit_id)
        .where(CallTarget.call_id.in_(call_ids)).order_by(Unit.path)).all()
    subs = db.session.scalars(sa.select(CallSubmission).where(CallSubmission.call_id.in_(call_ids))
                              .order_by(CallSubmission.id)).all()
    by_key: dict[tuple[int, int], list[CallSubmission]] = {}
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


def tracking(call: Call, *, current_structure: bool = False) -> Tracking:
    rows = rows_for([call.id], {call.id: call})[call.id]
    if current_structure:
        rows = fold_merged(rows)
    return Tracking(call=call, rows=rows, counts=count(rows))


# The better answer wins when merged units' rows are folded into their successor's.
_RANK = {"missing": 0, "returned": 1, "late": 2, "on_time": 3, "approved": 4}


def fold_merged(rows: list[TrackingRow]) -> list[TrackingRow]:
    """One row per unit of the current structure: a merged unit's row joins its successor's (core/structure)."""
    from danvan.core.structure import current_ids

    now = current_ids(r.unit.id for r in rows)
    if not now:
        return rows
    units = {u.id: u for u in db.session.scalars(sa.select(Unit).where(Unit.id.in_(set(now.values()))))}
    folded: dict[int, TrackingRow] = {}
    for row in rows:
        key = now.get(row.unit.id, row.unit.id)
        best = folded.get(key)
        if key != row.unit.id:
            row = TrackingRow(unit=units[key], target=row.target, deadline=row.deadline, status=row.status,
                              submitted_at=row.submitted_at, late=row.late, objects=list(row.objects),
                              merged_from=[row.unit])
        if best is None:
            folded[key] = row
            continue
        if _RANK[row.status] > _RANK[best.status]:
            best.status, best.late, best.submitted_at = row.status, row.late, row.submitted_at
        best.objects += row.objects
        best.merged_from += row.merged_from
    return sorted(folded.values(), key=lambda r: r.unit.path)


@dataclass(frozen=True)
class UnitRef:
    id: int
    name: str


@dataclass(frozen=True)
class TargetRef:
    extended_until: date | None


def cached_page(call: Call, status: str, page: int, *, current_structure: bool = False,
                render: Callable[[Page], str] | None = None) -> tuple[Tracking, Page, Markup | None]:
    """The tracking page's data: the counts, one page of the rows in `status` and how many deadline
    changes the call has, cached per call, filter, page and data version. The rows hold the unit's id
    and name and the target's extension (plain data, not ORM objects): all the page shows, and a hit
    unpickles 25 rows, not 2,000. `render(page)`, our own autoescaped template of those rows (no token,
    nothing of the user), is cached with them: a hit renders no row."""
    def compute() -> tuple[dict[str, int], Page, int, str | None]:
        t = tracking(call, current_structure=current_structure)
        chosen = paginate_rows(t.filtered(status), page=page)
        chosen.items = [replace(r, unit=UnitRef(r.unit.id, r.unit.name), target=TargetRef(r.target.extended_until),
                                merged_from=[UnitRef(u.id, u.name) for u in r.merged_from]) for r in chosen.items]
        changes = db.session.scalar(sa.select(sa.func.count()).select_from(CallChange)
                                    .where(CallChange.call_id == call.id)) or 0
        return t.counts, chosen, changes, None if render is None else str(render(chosen))

    key = f"calls:tracking:{call.id}:{int(current_structure)}:{status[:20]}:{page}:{int(render is not None)}"
    counts, chosen, changes, html = cache.cached(SCOPES, key, compute)
    return (Tracking(call=call, rows=[], counts=counts, changes=changes), chosen,
            None if html is None else Markup(html))


def summaries(calls: list[Call]) -> dict[int, dict[str, int]]:
    """Counts for a page of calls: cached per call and data version; the missing ones in two queries."""
    if not calls:
        return {}

    def compute(missing: list[int]) -> list[dict[str, int]]:
        chosen = [calls[i] for i in missing]
        rows = rows_for([c.id for c in chosen], {c.id: c for c in chosen})
        return [count(rows[c.id]) for c in chosen]

    counts = cache.cached_batch([(SCOPES, f"calls:counts:{c.id}") for c in calls], compute)
    return {c.id: n for c, n in zip(calls, counts, strict=True)}


def my_calls(user) -> list[tuple[Call, TrackingRow]]:
    """Open calls addressed to the user's committee, each with its status: one query (the
    committee's submissions joined on)."""
    unit = served_unit(user.unit)
    rows = db.session.execute(
        sa.select(Call, CallTarget, CallSubmission).join(CallTarget, CallTarget.call_id == Call.id)
        .outerjoin(CallSubmission, sa.and_(CallSubmission.call_id == Call.id, CallSubmission.unit_id == unit.id))
        .where(CallTarget.unit_id == unit.id, Call.archived_at.is_(None))
        .order_by(Call.deadline, Call.id, CallSubmission.id)).all()
    pairs: list[tuple[Call, CallTarget]] = []
    by_call: dict[int, list[CallSubmission]] = {}
    for call, target, sub in rows:
        if call.id not in by_call:
            pairs.append((call, target))
            by_call[call.id] = []
        if sub is not None:
            by_call[call.id].append(sub)
    out = []
    for call, target in pairs:
        row = TrackingRow(unit=unit, target=target, deadline=target.extended_until or call.deadline)
        _status(row, by_call[call.id])
        out.append((call, row))
    return out


def my_target_status(user, call_ids: list[int]) -> dict[int, TrackingRow]:
    """For each call, the tracking row of the user's own committee (two queries)."""
    if not call_ids:
        return {}
    unit = served_unit(user.unit)
    calls_by_id = {c.id: c for c in db.session.scalars(sa.select(Call).where(Call.id.in_(call_ids)))}
    out = {}
    for cid, rs in rows_for(call_ids, calls_by_id).items():
        for r in rs:
            if r.unit.id == unit.id:
                out[cid] = r
    return out


def still_to_send(mine: list[tuple[Call, TrackingRow]]) -> list[tuple[Call, TrackingRow]]:
    """Of `my_calls`, those with nothing valid filed yet (missing or returned)."""
    return [(c, r) for c, r in mine if r.missing]


def due_soon(mine: list[tuple[Call, TrackingRow]], today: date, days: int = 7) -> list[tuple[Call, TrackingRow]]:
    """Of `my_calls`, those still to send whose deadline falls in the next `days` days."""
    return [(c, r) for c, r in mine if r.missing and today <= r.deadline <= today + timedelta(days=days)]


def overdue(mine: list[tuple[Call, TrackingRow]], today: date) -> list[tuple[Call, TrackingRow]]:
    """Of `my_calls`, those still to send whose deadline has passed."""
    return [(c, r) for c, r in mine if r.missing and r.deadline < today]


def target_rows(call: Call) -> dict[int, TrackingRow]:
    """The call's tracking rows by target unit id (for a feature's own consolidation page)."""
    return {r.unit.id: r for r in tracking(call).rows}

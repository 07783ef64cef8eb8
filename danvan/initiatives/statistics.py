"""Consolidation and statistics: counts per unit × field in SQL, the districts' consolidated
lists sent up (answering the province's call), and the dashboard panel."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from danvan import calls
from danvan.core import access, audit, structure
from danvan.core.models import by_name
from danvan.core.units import Unit, scope_root
from danvan.core.vntext import now_utc, today_local
from danvan.extensions import db
from danvan.initiatives import search
from danvan.initiatives.config import (
    REGISTERING_KINDS,
    InitiativeError,
    fields_of,
    province_of,
)
from danvan.initiatives.models import (
    REGISTERED_STATES,
    Initiative,
    InitiativeField,
    InitiativeReport,
)
from danvan.initiatives.registration import CALL_KIND


@dataclass
class UnitRow:
    unit: Unit | None            # None: the committee's own level (its own registrations)
    label: str
    registered: int = 0
    recognised: int = 0
    drafts: int = 0
    new: int = 0
    maintained: int = 0
    late: int = 0
    by_field: dict[int, int] = field(default_factory=dict)
    report: InitiativeReport | None = None
    report_status: str = ""      # "on_time", "late", "missing", "pending", "sent" (no call), ""
    sent_at: datetime | None = None
    missing_fields: list[str] = field(default_factory=list)


@dataclass
class Statistics:
    root: Unit
    year: int
    fields: list[InitiativeField]
    rows: list[UnitRow]
    totals: UnitRow
    deadline: date | None                  # the children's: the call root issued (else root's own)
    by_year: dict[int, dict[int, int]]     # year -> field_id -> registered
    by_year_new: dict[int, tuple[int, int, int]]  # year -> (registered, new, recognised)
    own_report: InitiativeReport | None
    reporting: bool                        # the rows are reporting units that send lists up
    call: calls.Call | None = None         # the registration call of the year root issued, if any
    answers: calls.Call | None = None      # the call root itself must answer (from the level above)
    own: calls.TrackingRow | None = None   # root's own row on that call: its deadline and status

    @property
    def late_units(self) -> list[UnitRow]:
        return [r for r in self.rows if r.report_status in ("late", "missing") or r.late]

    @property
    def uneven_units(self) -> list[UnitRow]:
        return [r for r in self.rows if r.missing_fields and r.unit is not None]


def child_units(root: Unit) -> list[Unit]:
    """The units a committee consolidates: its open children that register (not its bans)."""
    return list(db.session.scalars(sa.select(Unit).where(
        Unit.parent_id == root.id, Unit.kind.in_(REGISTERING_KINDS), Unit.valid_to.is_(None))
        .order_by(Unit.kind, by_name(Unit), Unit.id)))


def statistics(actor, year: int, root: Unit | None = None, *, current_structure: bool = False) -> Statistics:
    """Counts per child unit × field for one year, and per year × field, aggregated in SQL. With
    `current_structure`, a merged unit's registrations count for its successor (core/structure.py)."""
    root = root or actor.scope
    if not access.in_scope(actor, root):
        raise InitiativeError("Đơn vị nằm ngoài phạm vi của bạn.", status=404)
    province = province_of(root)
    fields = fields_of(province.id, active_only=False)
    children = child_units(root)
    reporting = any(c.kind in ("huyen_uy", "dang_uy_truc_thuoc") for c in children)
    # One deadline, the call's (with a unit's extension): the one root issued for its children, and
    # the one root answers (its own, and its children's when root asked nothing itself).
    call = call_issued_by(root, year)
    answers, own = own_call(root, year)
    own_deadline = own.deadline if own is not None else None
    tracked = calls.target_rows(call) if call is not None else {}
    child_deadline = {c.id: tracked[c.id].deadline if c.id in tracked else
                      (call.deadline if call is not None else own_deadline) for c in children}
    deadline = call.deadline if call is not None else own_deadline
    uniform = len(set(child_deadline.values()) | {deadline}) == 1

    reg_unit, anc = aliased(Unit), aliased(Unit)
    unit_id, merged = Initiative.unit_id, structure.successor_map()
    if current_structure:
        unit_id = sa.func.coalesce(merged.c.current_id, Initiative.unit_id)
    per_unit = (sa.select(unit_id.label("unit_id"), Initiative.field_id.label("field_id"),
                          Initiative.is_new.label("is_new"), Initiative.state.label("state"),
                          sa.func.count().label("n"),
                          sa.func.sum(sa.case((Initiative.submitted_at >= calls.deadline_end(deadline), 1), else_=0)
                                      if deadline and uniform else sa.literal(0)).label("late"))
                .where(Initiative.year == year,
                       Initiative.unit_id.in_(sa.select(Unit.id).where(Unit.path.startswith(root.path,
                                                                                             autoescape=True))))
                .group_by(unit_id, Initiative.field_id, Initiative.is_new, Initiative.state))
    if current_structure:
        per_unit = per_unit.outerjoin(merged, merged.c.unit_id == Initiative.unit_id)
    per_unit = per_unit.subquery()
    # Map each registering unit to the child of root it lies under (or root itself).
    stmt = (sa.select(anc.id, per_unit.c.field_id, per_unit.c.is_new, per_unit.c.state,
                      sa.func.sum(per_unit.c.n), sa.func.sum(per_unit.c.late))
            .select_from(per_unit)
            .join(reg_unit, reg_unit.id == per_unit.c.unit_id)
            .outerjoin(anc, sa.and_(anc.parent_id == root.id, anc.kind.in_(REGISTERING_KINDS),
                                    reg_unit.path.like(anc.path + "%")))
            .group_by(anc.id, per_unit.c.field_id, per_unit.c.is_new, per_unit.c.state))
    rows_by_id: dict[int | None, UnitRow] = {c.id: UnitRow(unit=c, label=c.name) for c in children}
    direct = UnitRow(unit=None, label=f"Cấp {root.name} (đăng ký trực tiếp)")
    totals = UnitRow(unit=None, label="Tổng cộng")
    for anc_id, field_id, is_new, state, n, late in db.session.execute(stmt):
        row = rows_by_id.get(anc_id) or direct
        n, late = int(n or 0), int(late or 0)
        for target in (row, totals):
            if state == "draft":
                target.drafts += n
                continue
            target.registered += n
            target.late += late
            if state == "recognised":
                target.recognised += n
            if is_new:
                target.new += n
            else:
                target.maintained += n
            target.by_field[field_id] = target.by_field.get(field_id, 0) + n
    if not uniform:
        _late_per_child(root, year, rows_by_id, direct, totals, child_deadline, deadline)
    reports = {r.unit_id: r for r in db.session.scalars(sa.select(InitiativeReport).where(
        InitiativeReport.year == year, InitiativeReport.unit_id.in_([c.id for c in children] + [root.id])))}
    active_fields = [f for f in fields if f.active]
    for c in children:
        row = rows_by_id[c.id]
        if row.registered:   # a unit with nothing registered is flagged as missing, not as uneven
            row.missing_fields = [f.name for f in active_fields if not row.by_field.get(f.id)]
        if c.id in tracked:
            t = tracked[c.id]
            row.report = reports.get(c.id)
            row.report_status = ("late" if t.late else "on_time") if t.has_filed else (
                "missing" if today_local() > t.deadline else "pending")
            row.sent_at = t.submitted_at
        elif c.kind in ("huyen_uy", "dang_uy_truc_thuoc"):   # no call: nothing to be late for
            row.report = reports.get(c.id)
            row.report_status = "sent" if row.report else "pending"
            row.sent_at = row.report.sent_at if row.report else None
    out_rows = list(rows_by_id.values())
    if direct.registered or direct.drafts:
        out_rows.append(direct)
    # Trend over the years, same scope.
    trend = (sa.select(Initiative.year, Initiative.field_id, Initiative.is_new, Initiative.state, sa.func.count())
             .where(Initiative.unit_id.in_(sa.select(Unit.id).where(Unit.path.startswith(root.path,
                                                                                         autoescape=True))),
                    Initiative.state.in_(REGISTERED_STATES))
             .group_by(Initiative.year, Initiative.field_id, Initiative.is_new, Initiative.state))
    by_year: dict[int, dict[int, int]] = defaultdict(dict)
    by_year_new: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for y, field_id, is_new, state, n in db.session.execute(trend):
        by_year[y][field_id] = by_year[y].get(field_id, 0) + n
        acc = by_year_new[y]
        acc[0] += n
        acc[1] += n if is_new else 0
        acc[2] += n if state == "recognised" else 0
    return Statistics(root=root, year=year, fields=fields, rows=out_rows, totals=totals, deadline=deadline,
                      by_year=dict(sorted(by_year.items())),
                      by_year_new={y: tuple(v) for y, v in sorted(by_year_new.items())},
                      own_report=reports.get(root.id), reporting=reporting or bool(tracked), call=call,
                      answers=answers, own=own)


def _late_per_child(root: Unit, year: int, rows_by_id: dict, direct: UnitRow, totals: UnitRow,
                    child_deadline: dict[int, date | None], default: date | None) -> None:
    """Registrations sent after their child's own deadline (extensions differ): one query."""
    anc, reg = aliased(Unit), aliased(Unit)
    whens = [(anc.id == cid, calls.deadline_end(d)) for cid, d in child_deadline.items() if d is not None]
    cutoff = sa.case(*whens, else_=calls.deadline_end(default) if default else None) if whens else (
        sa.literal(calls.deadline_end(default)) if default else None)
    if cutoff is None:
        return
    stmt = (sa.select(anc.id, sa.func.count())
            .select_from(Initiative).join(reg, reg.id == Initiative.unit_id)
            .outerjoin(anc, sa.and_(anc.parent_id == root.id, anc.kind.in_(REGISTERING_KINDS),
                                    reg.path.like(anc.path + "%")))
            .where(Initiative.year == year, Initiative.state.in_(REGISTERED_STATES),
                   Initiative.unit_id.in_(sa.select(Unit.id).where(Unit.path.startswith(root.path, autoescape=True))),
                   Initiative.submitted_at >= cutoff)
            .group_by(anc.id))
    for anc_id, n in db.session.execute(stmt):
        (rows_by_id.get(anc_id) or direct).late += n
        totals.late += n


def own_call(root: Unit, year: int) -> tuple[calls.Call | None, calls.TrackingRow | None]:
    """The registration call of the year addressed to `root` (from the level above) and root's row
    on it: the deadline root itself must meet, with its extension, and whether it was late."""
    found = calls.open_calls_for_unit(root, kind=CALL_KIND, year=year)
    if not found:
        return None, None
    answers = max(found, key=lambda c: c.id)   # the latest, as calls.issued_call
    return answers, calls.target_rows(answers).get(root.id)


def send_report(actor, year: int, note: str = "") -> InitiativeReport:
    """The district sends its consolidated list of the year up (again: the figures are refreshed)."""
    if not access.can(actor, "send_initiative_report", actor.scope):
        raise InitiativeError("Chỉ huyện ủy, thành ủy, đảng ủy trực thuộc gửi danh sách tổng hợp lên tỉnh.",
                              status=403)
    if len(note or "") > 4000:
        raise InitiativeError("Ghi chú tối đa 4.000 ký tự.", "note")
    root = actor.scope
    stats = statistics(actor, year, root)
    t = stats.totals
    if t.registered == 0:
        raise InitiativeError(f"Chưa có đăng ký nào đã gửi trong năm {year} để tổng hợp.", status=409)
    waiting = db.session.scalar(sa.select(sa.func.count()).select_from(Initiative).where(
        Initiative.year == year, Initiative.state == "submitted",
        Initiative.unit_id.in_(sa.select(Unit.id).where(Unit.path.startswith(root.path, autoescape=True)))))
    if waiting:
        raise InitiativeError(f"Còn {waiting} đăng ký chưa được xem xét (tiếp nhận hoặc trả lại); "
                              "hãy xử lý trước khi gửi danh sách tổng hợp.", status=409)
    report = db.session.scalar(sa.select(InitiativeReport).where(InitiativeReport.unit_id == root.id,
                                                                 InitiativeReport.year == year))
    if report is None:
        report = InitiativeReport(unit_id=root.id, year=year, sent_at=now_utc(), sent_by_id=actor.id)
        db.session.add(report)
    report.total, report.new_count, report.maintained_count = t.registered, t.new, t.maintained
    report.recognised_count, report.note = t.recognised, (note or "").strip()
    db.session.flush()
    audit.record(actor, "send_consolidated", report, {"total": (None, t.registered)})
    calls.answer_open_calls(root, CALL_KIND, year, report, actor=actor)
    return report


def call_issued_by(root: Unit, year: int) -> calls.Call | None:
    """The registration call of the year issued by `root` (or one of its bans), if any."""
    return calls.issued_call(root, CALL_KIND, year)


# ---------------------------------------------------------------- dashboard

def panel_counts(actor) -> dict:
    """The dashboard's counts, each the total of the list it links to (search.list_stmt), as scalar
    subqueries: the dashboard fetches every panel's counts in one statement."""
    if not access.has_permission(actor, "initiatives.view"):
        return {}

    def total(filters) -> sa.ScalarSelect:
        stmt = search.list_stmt(actor, filters).order_by(None)
        return sa.select(sa.func.count()).select_from(stmt.subquery()).scalar_subquery()

    waiting = total(search.Filters(to_review=True)) if access.has_permission(actor, "initiatives.review") \
        else sa.literal(0)
    return {"waiting": waiting, "returned": total(search.Filters(state="returned"))}


def panel_context(actor, counts: dict) -> dict:
    if not counts:
        return {}
    return {"waiting": int(counts["waiting"] or 0), "returned": int(counts["returned"] or 0),
            "year": today_local().year}


def scope_label(actor) -> str:
    return scope_root(actor.unit).name

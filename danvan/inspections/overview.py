"""The province overview: visits per year and unit (planned / held / concluded), checklist items
that fail most, the heat of "chưa đạt" by category and unit, open and overdue recommendations.
Aggregated in SQL straight to the units directly under the reader's committee (each inspected unit
mapped to its ancestor there, within the reader's subtree only): a fixed number of queries and a few
dozen rows whatever the number of visits. The figures are cached per reader and data version of the
inspections and the unit tree, so every write in scope shows at once."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from danvan.core import cache
from danvan.core.units import Unit, scope_root, within
from danvan.core.vntext import today_local
from danvan.extensions import db

from . import planning
from .models import (
    CATEGORIES,
    INSPECTION_STATES,
    OPEN_RECOMMENDATION_STATES,
    ChecklistResult,
    Inspection,
    Recommendation,
)

TOP_ITEMS = 10
JUDGED = ("dat", "dat_mot_phan", "chua_dat")   # "không áp dụng" is not judged
VISIT_STATES = tuple(INSPECTION_STATES)   # planned, visited, concluded: the overview's columns
SCOPES = ("inspections", "units")   # models of danvan/inspections bump "inspections" on flush
cache.declare(*SCOPES)


@dataclass(frozen=True)
class UnitName:
    """What a row shows of its unit: plain data, so the figures can be cached."""
    id: int
    name: str


@dataclass
class UnitRow:
    """One unit's figures as counters keyed by what they count, so rows add up with `update`:
    `counts` the visits by state ("planned", "visited", "concluded") and the open and overdue
    recommendations ("open_recs", "overdue_recs"); `failed` and `judged` the checklist verdicts by
    category ("chưa đạt", and all but "không áp dụng")."""
    unit: UnitName
    counts: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    judged: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts[state] for state in VISIT_STATES)

    def heat(self, category: str) -> float | None:
        judged = self.judged[category]
        return None if not judged else 100.0 * self.failed[category] / judged


@dataclass
class Overview:
    root: Unit
    year: int | None
    rows: list[UnitRow]
    items: list[dict]
    years: list[int]

    @property
    def totals(self) -> UnitRow:
        t = UnitRow(unit=UnitName(self.root.id, self.root.name))
        for r in self.rows:
            t.counts.update(r.counts)
            t.failed.update(r.failed)
            t.judged.update(r.judged)
        return t


def build(user, year: int | None = None, today: date | None = None) -> Overview:
    root = scope_root(user.unit)
    today = today or today_local()
    rows, items, years = cache.cached(SCOPES, cache_key(user, year, today), lambda: _compute(user, root, year, today))
    return Overview(root=root, year=year, rows=rows, items=items, years=years)


def cache_key(user, year: int | None, today: date | None = None) -> str:
    """The figures are the reader's own (visibility), for a year and a day (what is overdue)."""
    return f"inspections:overview:{planning.visibility_key(user)}:{year or 0}:{(today or today_local()).isoformat()}"


def _compute(user, root: Unit, year: int | None, today: date) -> tuple[list[UnitRow], list[dict], list[int]]:
    seen = planning.visible(user).with_only_columns(Inspection.id).order_by(None)
    if year:
        seen = seen.where(Inspection.year == year)
    # Joined, not "IN (…)": PostgreSQL then reads the result and recommendation rows of the visible
    # visits through their inspection_id indexes instead of filtering every row of the country.
    seen = seen.subquery("seen")
    # Each unit of the reader's subtree -> the unit directly under the root it lies in (the root's own
    # visits and anything outside the subtree belong to no row).
    child = aliased(Unit)
    under = (sa.select(Unit.id.label("unit_id"), child.id.label("child_id"))
             .join(child, sa.and_(child.parent_id == root.id, within(Unit.path, child.path)))
             .where(within(Unit.path, root.path)).subquery("under"))
    rows: dict[int, UnitRow] = {}

    def row(cid: int) -> UnitRow:
        return rows.setdefault(cid, UnitRow(unit=None))  # type: ignore[arg-type]

    state_counts = db.session.execute(
        sa.select(under.c.child_id, Inspection.state, sa.func.count())
        .join(under, under.c.unit_id == Inspection.unit_id).join(seen, seen.c.id == Inspection.id)
        .group_by(under.c.child_id, Inspection.state)).all()
    for cid, state, n in state_counts:
        row(cid).counts[state] += n
    verdicts = db.session.execute(
        sa.select(under.c.child_id, ChecklistResult.category, ChecklistResult.verdict, sa.func.count())
        .join(under, under.c.unit_id == ChecklistResult.unit_id).join(seen, seen.c.id == ChecklistResult.inspection_id)
        .where(ChecklistResult.verdict.in_(JUDGED))
        .group_by(under.c.child_id, ChecklistResult.category, ChecklistResult.verdict)).all()
    for cid, category, verdict, n in verdicts:
        r = row(cid)
        r.judged[category] += n
        if verdict == "chua_dat":
            r.failed[category] += n
    overdue = sa.case((Recommendation.deadline < today, 1), else_=0)
    recs = db.session.execute(
        sa.select(under.c.child_id, sa.func.count(), sa.func.sum(overdue))
        .join(under, under.c.unit_id == Recommendation.unit_id).join(seen, seen.c.id == Recommendation.inspection_id)
        .where(Recommendation.state.in_(OPEN_RECOMMENDATION_STATES))
        .group_by(under.c.child_id)).all()
    for cid, n, late in recs:
        r = row(cid)
        r.counts["open_recs"] += n
        r.counts["overdue_recs"] += int(late or 0)
    names = db.session.execute(sa.select(Unit.id, Unit.name, Unit.sort_key).where(Unit.parent_id == root.id)).all()
    order = {}
    for uid, name, sort_key in names:
        if uid in rows:
            rows[uid].unit, order[uid] = UnitName(uid, name), (sort_key, uid)
    ordered = [rows[cid] for cid in sorted(rows, key=order.__getitem__)]
    return ordered, _failing_items(seen), _years(user)


def _failing_items(seen) -> list[dict]:
    """Checklist items ranked by how often they were judged "chưa đạt"."""
    failed = sa.func.sum(sa.case((ChecklistResult.verdict == "chua_dat", 1), else_=0))
    partial = sa.func.sum(sa.case((ChecklistResult.verdict == "dat_mot_phan", 1), else_=0))
    judged = sa.func.count()
    rows = db.session.execute(
        sa.select(ChecklistResult.category, ChecklistResult.text, failed, partial, judged)
        .join(seen, seen.c.id == ChecklistResult.inspection_id).where(ChecklistResult.verdict.in_(JUDGED))
        .group_by(ChecklistResult.category, ChecklistResult.text)
        .having(failed + partial > 0).order_by(failed.desc(), partial.desc(), ChecklistResult.text)
        .limit(TOP_ITEMS)).all()
    return [{"category": CATEGORIES.get(c, c), "text": t, "failed": int(f or 0), "partial": int(p or 0), "judged": j}
            for c, t, f, p, j in rows]


def _years(user) -> list[int]:
    seen = planning.visible(user).with_only_columns(Inspection.year).order_by(None).distinct()
    return sorted((y for (y,) in db.session.execute(seen)), reverse=True)


def heat_class(value: float | None) -> str:
    if value is None:
        return "heat-nc"
    if value >= 30:
        return "heat-lag"
    return "heat-mid" if value > 0 else "heat-ok"


def xlsx(ov: Overview) -> bytes:
    from danvan.printing.office import xlsx_table

    columns = [("Đơn vị", 36), ("Đã lên lịch", 12), ("Đã kiểm tra", 12), ("Đã kết luận", 12),
               ("Kiến nghị chưa xong", 14), ("Kiến nghị quá hạn", 14)]
    columns += [(f"Chưa đạt (%) — {label}", 18) for label in CATEGORIES.values()]

    def line(r: UnitRow) -> list:
        heats = [r.heat(c) for c in CATEGORIES]
        return [r.unit.name, *(r.counts[key] for key in (*VISIT_STATES, "open_recs", "overdue_recs")),
                *[round(h, 1) if h is not None else None for h in heats]]

    body = [line(r) for r in ov.rows]
    body.append(["Tổng cộng", *line(ov.totals)[1:]])
    title = f"Tổng hợp kiểm tra Quy chế dân chủ — {ov.root.name}"
    return xlsx_table(title, columns, body, subtitle=f"Năm {ov.year}" if ov.year else "Tất cả các năm")

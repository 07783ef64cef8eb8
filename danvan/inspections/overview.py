"""The province overview: visits per year and unit (planned / held / concluded), checklist items
that fail most, the heat of "chưa đạt" by category and unit, open and overdue recommendations.
Aggregated in SQL per inspected unit, then rolled up in Python to the units directly under the
reader's committee: a fixed number of queries whatever the number of visits."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from danvan.core.units import Unit, scope_root
from danvan.core.vntext import today_local
from danvan.extensions import db

from . import planning
from .models import CATEGORIES, OPEN_RECOMMENDATION_STATES, ChecklistResult, Inspection, Recommendation

TOP_ITEMS = 10
JUDGED = ("dat", "dat_mot_phan", "chua_dat")   # "không áp dụng" is not judged


@dataclass
class UnitRow:
    unit: Unit
    planned: int = 0
    visited: int = 0
    concluded: int = 0
    open_recs: int = 0
    overdue_recs: int = 0
    failed: dict[str, int] = field(default_factory=dict)   # category -> chưa đạt
    judged: dict[str, int] = field(default_factory=dict)   # category -> judged (not "không áp dụng")

    @property
    def total(self) -> int:
        return self.planned + self.visited + self.concluded

    def heat(self, category: str) -> float | None:
        judged = self.judged.get(category, 0)
        return None if not judged else 100.0 * self.failed.get(category, 0) / judged


@dataclass
class Overview:
    root: Unit
    year: int | None
    rows: list[UnitRow]
    items: list[dict]
    years: list[int]

    @property
    def totals(self) -> UnitRow:
        t = UnitRow(unit=self.root)
        for r in self.rows:
            for key in ("planned", "visited", "concluded", "open_recs", "overdue_recs"):
                setattr(t, key, getattr(t, key) + getattr(r, key))
            for c in CATEGORIES:
                t.failed[c] = t.failed.get(c, 0) + r.failed.get(c, 0)
                t.judged[c] = t.judged.get(c, 0) + r.judged.get(c, 0)
        return t


def _child_id(path: str, depth: int) -> int | None:
    """The id on `path` one level under the root (depth `depth`); None for the root itself."""
    parts = path.strip("/").split("/")
    return int(parts[depth + 1]) if len(parts) > depth + 1 else None


def build(user, year: int | None = None, today: date | None = None) -> Overview:
    root = scope_root(user.unit)
    today = today or today_local()
    seen = planning.visible(user).with_only_columns(Inspection.id).order_by(None)
    if year:
        seen = seen.where(Inspection.year == year)
    # Joined, not "IN (…)": PostgreSQL then reads the result and recommendation rows of the visible
    # visits through their inspection_id indexes instead of filtering every row of the country.
    seen = seen.subquery("seen")
    rows: dict[int, UnitRow] = {}

    def row(path: str) -> UnitRow | None:
        cid = _child_id(path, root.depth)
        if cid is None:
            return None
        return rows.setdefault(cid, UnitRow(unit=None))  # type: ignore[arg-type]

    state_counts = db.session.execute(
        sa.select(Unit.path, Inspection.state, sa.func.count()).join(Unit, Unit.id == Inspection.unit_id)
        .join(seen, seen.c.id == Inspection.id).group_by(Unit.path, Inspection.state)).all()
    for path, state, n in state_counts:
        r = row(path)
        if r is not None:
            setattr(r, state, getattr(r, state) + n)
    verdicts = db.session.execute(
        sa.select(Unit.path, ChecklistResult.category, ChecklistResult.verdict, sa.func.count())
        .join(Unit, Unit.id == ChecklistResult.unit_id).join(seen, seen.c.id == ChecklistResult.inspection_id)
        .where(ChecklistResult.verdict.in_(JUDGED))
        .group_by(Unit.path, ChecklistResult.category, ChecklistResult.verdict)).all()
    for path, category, verdict, n in verdicts:
        r = row(path)
        if r is not None:
            r.judged[category] = r.judged.get(category, 0) + n
            if verdict == "chua_dat":
                r.failed[category] = r.failed.get(category, 0) + n
    overdue = sa.case((Recommendation.deadline < today, 1), else_=0)
    recs = db.session.execute(
        sa.select(Unit.path, sa.func.count(), sa.func.sum(overdue)).join(Unit, Unit.id == Recommendation.unit_id)
        .join(seen, seen.c.id == Recommendation.inspection_id)
        .where(Recommendation.state.in_(OPEN_RECOMMENDATION_STATES))
        .group_by(Unit.path)).all()
    for path, n, late in recs:
        r = row(path)
        if r is not None:
            r.open_recs += n
            r.overdue_recs += int(late or 0)
    units = {u.id: u for u in db.session.scalars(sa.select(Unit).where(Unit.id.in_(list(rows))))} if rows else {}
    for cid, r in rows.items():
        r.unit = units[cid]
    ordered = sorted(rows.values(), key=lambda r: (r.unit.sort_key, r.unit.id))
    return Overview(root=root, year=year, rows=ordered, items=_failing_items(seen), years=_years(user))


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
        return [r.unit.name, r.planned, r.visited, r.concluded, r.open_recs, r.overdue_recs,
                *[round(h, 1) if h is not None else None for h in heats]]

    body = [line(r) for r in ov.rows]
    body.append(["Tổng cộng", *line(ov.totals)[1:]])
    title = f"Tổng hợp kiểm tra Quy chế dân chủ — {ov.root.name}"
    return xlsx_table(title, columns, body, subtitle=f"Năm {ov.year}" if ov.year else "Tất cả các năm")

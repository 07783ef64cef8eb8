"""Samples for inspection routes: a visit of C1 organised by D1 (own; the matrix user's
inspectors are on its team) and a visit of C3 organised by D2 (other)."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from danvan.auth.models import User, UserRole
from danvan.extensions import db
from danvan.inspections import checklists, planning
from danvan.inspections.models import (
    ChecklistTemplate,
    Inspection,
    InspectionPlan,
    Recommendation,
)


def make_inspection(organiser, unit, *, team=(), state="draft", day=date(2026, 6, 10)) -> Inspection:
    """A visit built by the service, its checks skipped: a plan already in `state`, any team."""
    plan = InspectionPlan(unit=organiser, year=day.year, title=f"Kế hoạch kiểm tra {organiser.name}", state=state)
    db.session.add(plan)
    return planning.new_inspection(plan, unit, day, due=day, content="Kiểm tra thực hiện Quy chế dân chủ ở cơ sở",
                                   team=team, template=checklists.default_template(organiser))


def _inspectors(unit) -> list[User]:
    return list(db.session.scalars(sa.select(User).join(UserRole).where(User.unit_id == unit.id,
                                                                          UserRole.role == "inspector")))


def _pair(world, build, state="issued"):
    """Issued by default: the inspected unit (C1) acts on its visit; plan routes want a draft."""
    own = build(make_inspection(world.d1, world.c1, team=_inspectors(world.d1b), state=state))
    other = build(make_inspection(world.d2, world.c3, state=state))
    return own.id, other.id


def _recommendation(insp):
    rec = Recommendation(inspection=insp, organiser_id=insp.organiser_id, unit=insp.unit, text="Bổ sung số liệu",
                         deadline=date(2026, 9, 30))
    db.session.add(rec)
    db.session.flush()
    return rec


def _template(world):
    own = ChecklistTemplate(unit_id=world.d1.id, name="Bộ tiêu chí huyện")
    other = ChecklistTemplate(unit_id=world.d2.id, name="Bộ tiêu chí huyện khác")
    db.session.add_all([own, other])
    db.session.flush()
    return own.id, other.id


SAMPLES = {
    "inspection_id": lambda world: _pair(world, lambda i: i),
    "plan_id": lambda world: _pair(world, lambda i: i.plan, state="draft"),
    "result_id": lambda world: _pair(world, lambda i: i.results_rows[0]),
    "recommendation_id": lambda world: _pair(world, _recommendation),
    "checklist_template_id": _template,
    "fmt": lambda world: ("pdf", "pdf"),
}

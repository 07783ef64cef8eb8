"""The dashboard panel, on both sides: upcoming visits, the recommendations my unit must act on
(overdue ones flagged), those waiting for my review, and overdue ones of the visits I run.
A fixed number of queries whatever the number of visits."""
from __future__ import annotations

import sqlalchemy as sa

from danvan.core import access
from danvan.core.units import scope_root
from danvan.core.vntext import today_local
from danvan.extensions import db

from . import planning, recommendations
from .models import InspectionMember, Recommendation

LIMIT = 5


def _count(stmt: sa.Select) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())) or 0


def panel_context(user) -> dict:
    if not access.has_permission(user, "inspections.view"):
        return {}
    today = today_local()
    upcoming = planning.upcoming_for(user, limit=LIMIT)
    mine = recommendations.for_unit(scope_root(user.unit)) if user.roles & {"leader", "officer"} else None
    to_act = list(db.session.scalars(mine.limit(LIMIT))) if mine is not None else []
    to_act_total = _count(mine) if mine is not None else 0
    team = sa.select(InspectionMember.inspection_id).where(InspectionMember.user_id == user.id)
    run = sa.or_(Recommendation.inspection_id.in_(team),
                 sa.and_(sa.literal(bool(user.roles & {"leader", "officer"})),
                         Recommendation.organiser_id.in_(planning._scope_units(user))))
    review = recommendations.visible(user).where(run, Recommendation.state == "reported")
    overdue = recommendations.visible(user).where(run, recommendations.overdue_clause(today))
    ctx = {"upcoming": upcoming, "to_act": to_act, "to_act_total": to_act_total,
           "review": _count(review), "overdue": _count(overdue), "today": today,
           "overdue_mine": _count(mine.where(Recommendation.deadline < today)) if mine is not None else 0}
    if not (upcoming or to_act or ctx["review"] or ctx["overdue"]):
        return {}
    return ctx


"""The dashboard panel, on both sides: upcoming visits, the recommendations my unit must act on
(overdue ones flagged), those waiting for my review, and overdue ones of the visits I run.
A fixed number of queries whatever the number of visits."""
from __future__ import annotations

import sqlalchemy as sa

from danvan.core import access, panels
from danvan.core.units import scope_root
from danvan.core.vntext import today_local
from danvan.extensions import db

from . import planning, recommendations
from .models import Inspection, InspectionMember, Recommendation

LIMIT = 5


def _run(user):
    """Recommendations of the visits I run: my team's, or my scope's as a leader or officer."""
    team = sa.select(InspectionMember.inspection_id).where(InspectionMember.user_id == user.id)
    return sa.or_(Recommendation.inspection_id.in_(team),
                  sa.and_(sa.literal(bool(user.roles & {"leader", "officer"})),
                          Recommendation.organiser_id.in_(planning.scope_units(user))))


def _mine(user) -> sa.Select | None:
    return recommendations.for_unit(scope_root(user.unit)) if user.roles & {"leader", "officer"} else None


def panel_counts(user) -> dict:
    """Every count of the panel, batched by the dashboard into its one statement of counts."""
    if not access.has_permission(user, "inspections.view"):
        return {}
    today, mine, none = today_local(), _mine(user), sa.literal(0)
    run = recommendations.visible(user).where(_run(user))
    return {"to_act_total": panels.count(mine) if mine is not None else none,
            "overdue_mine": panels.count(mine.where(Recommendation.deadline < today)) if mine is not None else none,
            "review": panels.count(run.where(Recommendation.state == "reported")),
            "overdue": panels.count(run.where(recommendations.overdue_clause(today)))}


def panel_context(user, counts: dict) -> dict:
    """Two queries of its own: upcoming visits and my unit's first recommendations."""
    if not counts:
        return {}
    mine = _mine(user)
    # the list shows the unit and the date only: the teams (members, their users and roles) stay unloaded
    upcoming = list(db.session.scalars(planning.upcoming_query(user).options(sa.orm.lazyload(Inspection.members))
                                       .limit(LIMIT)))
    to_act = list(db.session.scalars(mine.limit(LIMIT))) if mine is not None else []
    today = today_local()
    ctx = {"upcoming": upcoming, "to_act": [(r, recommendations.is_overdue(r, today)) for r in to_act],
           **{name: int(value or 0) for name, value in counts.items()}}
    if not (upcoming or to_act or ctx["review"] or ctx["overdue"]):
        return {}
    return ctx

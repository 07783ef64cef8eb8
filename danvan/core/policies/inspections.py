"""Inspections: who sees a visit, who works on it, who answers and who closes a recommendation.

- The team (InspectionMember rows) sees its visits; an inspector on no team of a visit does not.
- The organiser's side (leaders, officers, viewers, admins whose scope holds the organiser) sees
  every visit of its plans; leaders and officers there act as the team's secretariat.
- The inspected side (same roles whose scope holds the inspected unit) sees the visit once the
  plan is issued; the unit itself (its committee or staff) uploads its report and answers the
  recommendations addressed to it.
The list queries in danvan/inspections/planning.py (`visible`) say the same in SQL.
"""
from __future__ import annotations

from danvan.core.policies import rule
from danvan.core.units import scope_root

READERS = frozenset({"admin", "leader", "officer", "viewer"})
WORKERS = frozenset({"leader", "officer"})


def _in_scope(user, unit) -> bool:
    return unit is not None and scope_root(user.unit).contains(unit)


def _serves(user, unit) -> bool:
    """The user works for `unit` itself (its own staff, or a ban of that committee)."""
    return unit is not None and (user.unit_id == unit.id or scope_root(user.unit).id == unit.id)


def _team(user, insp) -> bool:
    return "inspector" in user.roles and user.id in insp.member_ids


def _organiser_worker(user, insp) -> bool:
    return bool(user.roles & WORKERS) and _in_scope(user, insp.organiser)


@rule("Inspection", "view")
def inspection_view(user, insp) -> bool:
    if user.id in insp.member_ids:
        return True
    if not user.roles & READERS:
        return False
    return _in_scope(user, insp.organiser) or (insp.plan.state == "issued" and _in_scope(user, insp.unit))


@rule("Inspection", "preview")
def inspection_preview(user, insp) -> bool:
    """The draft Thông báo kết luận: the team and the organiser's side, not yet the inspected unit."""
    return user.id in insp.member_ids or (bool(user.roles & READERS) and _in_scope(user, insp.organiser))


@rule("Inspection", "conduct")
def inspection_conduct(user, insp) -> bool:
    """Checklist, record, recommendations, conclusion text: until the conclusion is issued."""
    return insp.state != "concluded" and (_team(user, insp) or _organiser_worker(user, insp))


def _leads(user, insp) -> bool:
    return bool(insp.members) and insp.members[0].user_id == user.id and "inspector" in user.roles


@rule("Inspection", "conclude")
def inspection_conclude(user, insp) -> bool:
    """Issuing the numbered Thông báo kết luận: the team leader or a leader of the organiser."""
    if insp.state != "visited":
        return False
    return _leads(user, insp) or ("leader" in user.roles and _in_scope(user, insp.organiser))


@rule("Inspection", "reissue")
def inspection_reissue(user, insp) -> bool:
    """A replacement of the issued Thông báo kết luận (new number): whoever may issue it."""
    return insp.state == "concluded" and (_leads(user, insp) or ("leader" in user.roles
                                                                 and _in_scope(user, insp.organiser)))


@rule("Inspection", "sign_conclusion")
def inspection_sign_conclusion(user, insp) -> bool:
    """Uploading the signed, stamped scan of the Thông báo: the team leader or the organiser's office."""
    return insp.state == "concluded" and (_leads(user, insp) or _organiser_worker(user, insp))


@rule("Inspection", "report")
def inspection_report(user, insp) -> bool:
    """The inspected unit sends its own report while the plan is issued and not yet concluded."""
    return (insp.plan.state == "issued" and insp.state != "concluded" and bool(user.roles & WORKERS)
            and _serves(user, insp.unit))


@rule("InspectionPlan", "edit")
def plan_edit(user, plan) -> bool:
    return plan.state == "draft" and bool(user.roles & WORKERS) and _in_scope(user, plan.unit)


@rule("InspectionPlan", "issue")
def plan_issue(user, plan) -> bool:
    return plan.state == "draft" and bool(user.roles & WORKERS) and _in_scope(user, plan.unit)


@rule("ChecklistResult", "edit")
def result_edit(user, result) -> bool:
    return inspection_conduct(user, result.inspection)


@rule("Recommendation", "followup")
def recommendation_followup(user, rec) -> bool:
    """Who answers for the unit responsible; whether it is its turn now is the workflow's (409)."""
    return bool(user.roles & WORKERS) and _serves(user, rec.unit)


@rule("Recommendation", "review")
def recommendation_review(user, rec) -> bool:
    """Who accepts or reopens: the team, or the organiser's secretariat; when, the workflow says."""
    return _team(user, rec.inspection) or _organiser_worker(user, rec.inspection)


@rule("ChecklistTemplate", "configure")
def template_configure(user, template) -> bool:
    return "admin" in user.roles and _in_scope(user, template.unit)

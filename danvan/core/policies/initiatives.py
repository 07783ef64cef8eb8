"""Dân vận khéo: a unit edits its own registrations while drafting; the leaders of the committees above
score and pick exemplary models; the province configures; districts send their consolidated list up.
Workflow transitions (submit, accept, return…) are the workflow configuration's in initiatives/registration.py."""
from __future__ import annotations

from danvan.core.access import has_permission, in_scope
from danvan.core.policies import rule
from danvan.core.units import scope_root
from danvan.core.workflow import ABOVE, relation_holds

EDITABLE = ("draft", "returned")
SCORABLE = ("submitted", "accepted")
REPORTING_KINDS = ("huyen_uy", "dang_uy_truc_thuoc")


@rule("Initiative", "edit")
def initiative_edit(user, obj) -> bool:
    return obj.state in EDITABLE and has_permission(user, "initiatives.edit") and in_scope(user, obj.unit)


@rule("Initiative", "review")
def initiative_review(user, obj) -> bool:
    """Leaders of a committee strictly above the registering unit (never their own unit's)."""
    return has_permission(user, "initiatives.review") and relation_holds(ABOVE, user, obj.unit)


@rule("Initiative", "score")
def initiative_score(user, obj) -> bool:
    return obj.state in SCORABLE and initiative_review(user, obj)


@rule("Initiative", "mark_exemplary")
def initiative_mark_exemplary(user, obj) -> bool:
    """Only a recognised model is introduced at the conference as exemplary."""
    return obj.state == "recognised" and initiative_review(user, obj)


@rule("Unit", "configure_initiatives")
def initiatives_configure(user, unit) -> bool:
    """Configuration is per province: only the province level (its ban staff) changes it."""
    return (has_permission(user, "initiatives.configure") and unit.parent_id is None
            and scope_root(user.unit).id == unit.id)


@rule("Unit", "send_initiative_report")
def initiatives_send_report(user, unit) -> bool:
    """A district-level committee sends its own consolidated list up to the province."""
    return (has_permission(user, "initiatives.edit") and unit.kind in REPORTING_KINDS
            and scope_root(user.unit).id == unit.id)

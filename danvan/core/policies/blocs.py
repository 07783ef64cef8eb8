"""Khối dân vận cơ sở: a unit keeps the rosters of its tree; a unit scores itself on its own sheet while it
is open; criteria sets are changed by an admin of the unit that published them. Scoring by the level
above is a transition of the evaluation workflow (blocs/evaluations.py), asked through it."""
from __future__ import annotations

from danvan.core.access import has_permission, in_scope
from danvan.core.policies import rule
from danvan.core.units import scope_root

# The units that have a khối dân vận cơ sở (DOMAIN.md: every commune has one).
BLOC_UNIT_KINDS = ("xa",)


@rule("Bloc", "edit")
@rule("BlocMember", "edit")
def roster_edit(user, obj) -> bool:
    """Members, the roster's confirmation, new evaluation sheets: officers and leaders of the tree."""
    return has_permission(user, "blocs.edit") and in_scope(user, obj.unit)


@rule("Evaluation", "self_score")
def evaluation_self_score(user, evaluation) -> bool:
    """The evaluated unit itself (its committee for a ban's staff), while the sheet is a draft or returned."""
    return (evaluation.state in ("draft", "returned") and has_permission(user, "blocs.edit")
            and scope_root(user.unit).id == evaluation.unit_id)


@rule("CriteriaSet", "configure")
def criteria_configure(user, criteria_set) -> bool:
    """Lower units read the sets published above them; only the publishing tree's admin changes one."""
    return has_permission(user, "blocs.configure") and in_scope(user, criteria_set.unit)


@rule("Unit", "create_bloc")
def bloc_create(user, unit) -> bool:
    """An open commune's bloc is laid down by the commune itself, a level above it, or the admin of the tree
    that created the commune; whether it already has one is the service's check (409)."""
    return (unit.kind in BLOC_UNIT_KINDS and unit.is_open and has_permission(user, "blocs.create")
            and in_scope(user, unit))

"""Calls for submissions: the committee that sent a call corrects its deadline, while it is open."""
from __future__ import annotations

from danvan.core.access import has_permission, in_scope
from danvan.core.policies import rule
from danvan.core.units import ADVISORY_KINDS, scope_root


@rule("Call", "view")
def call_view(user, call) -> bool:
    """The call's page: its issuer's scope reads the tracking; a target (or a ban of a target
    committee, which files for it) reads its own status."""
    if not has_permission(user, "calls.view"):
        return False
    if in_scope(user, call.unit):
        return True
    unit = user.unit
    served = unit.parent_id if unit.kind in ADVISORY_KINDS and unit.parent_id else unit.id
    return any(t.unit_id in (unit.id, served) for t in call.targets)


@rule("Call", "change_deadline")
def call_change_deadline(user, call) -> bool:
    """Officers and leaders of the issuing committee (its own staff or its bans'), not the levels
    above that can read the call's tracking, and not once the call is closed."""
    return (call.archived_at is None and has_permission(user, "calls.manage")
            and scope_root(user.unit).id == scope_root(call.unit).id)

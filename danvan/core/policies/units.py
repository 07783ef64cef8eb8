"""The organisation tree: an admin changes the units of their own tree while they are open; a closed
(dissolved or merged) unit keeps its history unchanged."""
from __future__ import annotations

from danvan.core.access import has_permission, in_scope
from danvan.core.policies import rule


@rule("Unit", "manage")
def unit_manage(user, unit) -> bool:
    return unit.is_open and has_permission(user, "units.manage") and in_scope(user, unit)

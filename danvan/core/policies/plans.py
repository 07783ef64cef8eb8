"""Filed documents and approval delegations. Workflow transitions (submit, approve, return…) are the
workflow configuration's in plans/documents.py; these rules decide everything else about one object."""
from __future__ import annotations

from danvan.core.access import has_permission
from danvan.core.policies import rule
from danvan.core.vntext import today_local

EDITABLE = ("draft", "returned")


@rule("PlanDocument", "edit")
def document_edit(user, doc) -> bool:
    """Text and attachments: the issuing unit itself (not its superiors), while a draft or returned."""
    return doc.state in EDITABLE and has_permission(user, "plans.edit") and user.unit_id == doc.unit_id


@rule("PlanDelegation", "revoke")
def delegation_revoke(user, row) -> bool:
    """Only the leader who delegated ends it, while it has not ended already."""
    return (has_permission(user, "plans.approve") and row.delegator_id == user.id
            and row.revoked_at is None and row.ends_on >= today_local())

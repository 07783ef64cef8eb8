"""Filed documents and approval delegations. Workflow transitions (submit, approve, return…) are the
workflow configuration's in plans/documents.py; these rules decide everything else about one object."""
from __future__ import annotations

import sqlalchemy as sa

from danvan.core.access import has_permission, in_scope
from danvan.core.policies import rule
from danvan.core.vntext import today_local

EDITABLE = ("draft", "returned")


def readable(user, model) -> sa.ColumnElement[bool]:
    """The `view` rule below as a SQL condition, for every list, search, count and export of
    documents (scope is added by access.scoped): sent at least once, or the user's own unit's."""
    return sa.or_(model.submitted_at.is_not(None), model.unit_id == user.unit_id)


@rule("PlanDocument", "view")
def document_view(user, doc) -> bool:
    """A draft is private to the unit drafting it until first sent: the levels above read what
    was submitted to them (and keep reading it once returned, approved or archived)."""
    return (has_permission(user, "plans.view") and in_scope(user, doc.unit)
            and (doc.submitted_at is not None or doc.unit_id == user.unit_id))


@rule("PlanDocument", "edit")
def document_edit(user, doc) -> bool:
    """Text and attachments: the issuing unit itself (not its superiors), while a draft or returned."""
    return doc.state in EDITABLE and has_permission(user, "plans.edit") and user.unit_id == doc.unit_id


@rule("PlanDelegation", "revoke")
def delegation_revoke(user, row) -> bool:
    """Only the leader who delegated ends it, while it has not ended already."""
    return (has_permission(user, "plans.approve") and row.delegator_id == user.id
            and row.revoked_at is None and row.ends_on >= today_local())

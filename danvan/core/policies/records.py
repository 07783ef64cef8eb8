"""Issued records: the feature that owns the document decides who reads it and who signs it."""
from __future__ import annotations

from danvan.core import records
from danvan.core.policies import rule


@rule("IssuedRecord", "view")
def record_viewable(user, record) -> bool:
    return records.may(user, "view", record)


@rule("IssuedRecord", "sign", "replace")
def record_signable(user, record) -> bool:
    return not record.replaced_by_id and records.may(user, "sign", record)

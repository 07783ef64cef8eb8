"""Attachments: read by whoever has their unit in scope, unless the owning feature narrows it
(a draft's files are its unit's only, like the draft: core.files.register_owner_reader)."""
from __future__ import annotations

from danvan.core import files
from danvan.core.policies import rule


@rule("Attachment", "download")
def attachment_download(user, attachment) -> bool:
    return attachment.archived_at is None and files.owner_readable(user, attachment)

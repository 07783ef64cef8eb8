"""Freezing an issued document: the bytes printed at issue are stored once with their sha256
(core/files) and served unchanged ever after. Kept to these two functions so a shared
mechanism for every numbered document can replace them."""
from __future__ import annotations

import io

from werkzeug.datastructures import FileStorage

from danvan.core import files, records
from danvan.core.files import Attachment


def freeze(owner_type: str, owner_id: int, unit_id: int, documents: dict[str, bytes], *,
           actor) -> dict[str, Attachment]:
    """Store each {filename: bytes} as an attachment of the owner; returns {filename: attachment}."""
    return {name: files.store(FileStorage(stream=io.BytesIO(data), filename=name), owner_type=owner_type,
                              owner_id=owner_id, unit_id=unit_id, actor=actor)
            for name, data in documents.items()}


def frozen_bytes(attachment: Attachment) -> bytes:
    """The stored bytes, checked against the sha256 taken at issue (a changed file is an error)."""
    return records.read(attachment)

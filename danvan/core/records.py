"""Issued documents are records: what a number prints is stored once and served unchanged.

When a feature takes a number (numbering.next_number) it renders the PDF and DOCX *with* that
number and hands them here with the plain data they were made from. `issue()` stores both files
through core/files (sha256 read back) and the data as canonical JSON with its own sha256. From
then on the number serves those bytes (`pdf_bytes`, `docx_bytes`, checked against their sha256):
nothing re-renders under an old number, so editing the source cannot change what "2-GM/BDVTU"
says. A change after issue is a replacement: a new number, and the old record marked
"đã được thay thế bởi số …"; both kept, both audited.

A signed copy (the scan after signing and stamping on paper, PDF or JPG) can be attached to a
record; it is then the official copy and packets use it.

Core knows no feature: a feature registers its owner type with `register_owner(type, load=…,
view=…, sign=…)`; the policy for IssuedRecord (core/policies/records.py) asks those callables.
"""
from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.datastructures import FileStorage

from danvan.core import audit, files
from danvan.core.audit import Audited
from danvan.core.files import Attachment, UploadError
from danvan.core.models import UTCDateTime
from danvan.core.units import Unit
from danvan.core.vntext import now_utc
from danvan.extensions import db

OWNER_TYPE = "IssuedRecord"     # owner_type of the stored files
SIGNED_KINDS = {"pdf", "jpg"}
STATE_LABELS = {
    "issued": "Đã ban hành (bản lưu khi cấp số)",
    "signed": "Đã ban hành, có bản ký đóng dấu",
    "replaced": "Đã được thay thế",
}


class RecordDamaged(Exception):
    """A stored file no longer matches the sha256 taken at issue."""


@dataclass(frozen=True)
class Owner:
    load: Callable[[int], Any]          # owner_id -> the object (or None)
    view: Callable[[Any, Any, Any], bool]    # (user, owner, record) -> may read this issued document
    sign: Callable[[Any, Any, Any], bool]    # (user, owner, record) -> may upload its signed copy, replace it


OWNERS: dict[str, Owner] = {}


def register_owner(owner_type: str, *, load, view, sign) -> None:
    OWNERS[owner_type] = Owner(load, view, sign)


class IssuedRecord(Audited, db.Model):
    __tablename__ = "issued_record"
    __table_args__ = (sa.Index("ix_issued_record_owner", "owner_type", "owner_id", "doc_key"),)
    __audit_ignored__ = frozenset({"data_json"})    # its sha256 is logged

    owner_type: Mapped[str] = mapped_column(sa.String(60))
    owner_id: Mapped[int] = mapped_column(sa.Integer)
    doc_key: Mapped[str] = mapped_column(sa.String(40))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    number_text: Mapped[str] = mapped_column(sa.String(60))
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    issued_on: Mapped[date] = mapped_column(sa.Date)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    data_json: Mapped[str] = mapped_column(sa.Text)
    data_sha256: Mapped[str] = mapped_column(sa.String(64))
    pdf_id: Mapped[int | None] = mapped_column(sa.ForeignKey("attachment.id"))
    docx_id: Mapped[int | None] = mapped_column(sa.ForeignKey("attachment.id"))
    signed_id: Mapped[int | None] = mapped_column(sa.ForeignKey("attachment.id"))
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    replaced_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("issued_record.id"))

    unit: Mapped[Unit] = relationship()
    pdf: Mapped[Attachment | None] = relationship(foreign_keys=[pdf_id])
    docx: Mapped[Attachment | None] = relationship(foreign_keys=[docx_id])
    signed: Mapped[Attachment | None] = relationship(foreign_keys=[signed_id])
    replaced_by: Mapped[IssuedRecord | None] = relationship(remote_side="IssuedRecord.id")

    __repr_attrs__ = ("number_text", "owner_type", "owner_id", "doc_key")

    @property
    def state(self) -> str:
        if self.replaced_by_id:
            return "replaced"
        return "signed" if self.signed_id else "issued"

    @property
    def state_label(self) -> str:
        if self.replaced_by is not None:
            return f"Đã được thay thế bởi số {self.replaced_by.number_text}"
        return STATE_LABELS[self.state]

    @property
    def data(self) -> dict:
        return json.loads(self.data_json)

    @property
    def slug(self) -> str:
        return self.number_text.replace("/", "-")


def canonical(data: dict) -> str:
    """The data as stable JSON: same data, same text, same sha256."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=audit.plain, separators=(",", ":"))


def digest(data: dict) -> str:
    return hashlib.sha256(canonical(data).encode()).hexdigest()


def _store(content: bytes, filename: str, record: IssuedRecord, actor) -> Attachment:
    upload = FileStorage(stream=io.BytesIO(content), filename=filename)
    return files.store(upload, owner_type=OWNER_TYPE, owner_id=record.id, unit_id=record.unit_id, actor=actor)


def issue(*, owner_type: str, owner_id: int, doc_key: str, unit: Unit, number_text: str,
          issued_on: date, title: str, data: dict, pdf: bytes, docx: bytes | None, actor,
          replaces: IssuedRecord | None = None) -> IssuedRecord:
    """Freeze one numbered document: its PDF, DOCX and data. `replaces` is marked replaced."""
    text = canonical(data)
    record = IssuedRecord(owner_type=owner_type, owner_id=owner_id, doc_key=doc_key, unit_id=unit.id,
                          unit=unit, number_text=number_text, title=title[:300], issued_on=issued_on,
                          issued_by_id=getattr(actor, "id", None), data_json=text,
                          data_sha256=hashlib.sha256(text.encode()).hexdigest())
    db.session.add(record)
    db.session.flush()
    record.pdf = _store(pdf, f"{record.slug}.pdf", record, actor)
    if docx is not None:
        record.docx = _store(docx, f"{record.slug}.docx", record, actor)
    if replaces is not None:
        if replaces.replaced_by_id:
            raise ValueError(f"{replaces.number_text} was already replaced")
        replaces.replaced_by = record
        audit.record(actor, "replace", replaces, {"replaced_by": (None, number_text)})
    db.session.flush()
    audit.record(actor, "issue", record, {"number": (None, number_text), "sha256": (None, record.pdf.sha256)})
    return record


def read(attachment: Attachment) -> bytes:
    """The stored bytes, refused if they no longer match the sha256 taken when stored."""
    try:  # the storage backend checks the sha256 taken when stored
        return attachment.read_bytes()
    except files.CorruptFile:
        raise RecordDamaged(f"{attachment.filename}: sha256 differs from the one stored at issue") from None


def pdf_bytes(record: IssuedRecord) -> bytes:
    return read(record.pdf)


def docx_bytes(record: IssuedRecord) -> bytes | None:
    return read(record.docx) if record.docx is not None else None


def official_pdf(record: IssuedRecord) -> bytes | None:
    """The signed scan when it is a PDF (the official copy), else the issued PDF; None for a JPG scan."""
    if record.signed is not None:
        return read(record.signed) if record.signed.kind == "pdf" else None
    return pdf_bytes(record)


def attach_signed(record: IssuedRecord, upload: FileStorage | None, *, actor) -> Attachment:
    """Keep the scan of the signed and stamped paper copy; PDF or JPG only (checked by content)."""
    if record.replaced_by_id:
        raise UploadError(f"Văn bản số {record.number_text} đã được thay thế; tải bản ký cho văn bản mới.")
    attachment = files.store(upload, owner_type=OWNER_TYPE, owner_id=record.id, unit_id=record.unit_id,
                             actor=actor)
    if attachment.kind not in SIGNED_KINDS:
        db.session.delete(attachment)
        db.session.flush()
        raise UploadError(f"Bản ký phải là tệp PDF hoặc ảnh JPG (tệp «{attachment.filename}» là "
                          f"{files.KINDS[attachment.kind][1]}).")
    before = record.signed.filename if record.signed else None
    record.signed, record.signed_at = attachment, now_utc()
    db.session.flush()
    audit.record(actor, "sign", record, {"signed_copy": (before, attachment.filename)})
    return attachment


def records_of(owner_type: str, owner_ids: list[int]) -> dict[int, list[IssuedRecord]]:
    """Every record (replaced ones too) of many owners, newest first, in one query."""
    out: dict[int, list[IssuedRecord]] = {i: [] for i in owner_ids}
    if not owner_ids:
        return out
    rows = db.session.scalars(
        sa.select(IssuedRecord).where(IssuedRecord.owner_type == owner_type, IssuedRecord.owner_id.in_(owner_ids))
        .options(sa.orm.selectinload(IssuedRecord.replaced_by), sa.orm.selectinload(IssuedRecord.signed))
        .order_by(IssuedRecord.id.desc()))
    for row in rows:
        out[row.owner_id].append(row)
    return out


def current(owner_type: str, owner_id: int, doc_key: str) -> IssuedRecord | None:
    """The record in force for a document: the newest not replaced."""
    return db.session.scalar(
        sa.select(IssuedRecord).where(IssuedRecord.owner_type == owner_type, IssuedRecord.owner_id == owner_id,
                                      IssuedRecord.doc_key == doc_key, IssuedRecord.replaced_by_id.is_(None))
        .order_by(IssuedRecord.id.desc()).limit(1))


def not_following(owner_type: str, owner_id: int, fresh: dict[str, dict]) -> list[IssuedRecord]:
    """Issued documents whose source changed since issue (they keep printing what was issued).

    `fresh` maps doc_key to the data the document would be made from now.
    """
    in_force = [r for r in records_of(owner_type, [owner_id])[owner_id] if not r.replaced_by_id]
    return [r for r in in_force if r.doc_key in fresh and digest(fresh[r.doc_key]) != r.data_sha256]


def owner_of(record: IssuedRecord):
    owner = OWNERS.get(record.owner_type)
    return owner.load(record.owner_id) if owner else None


def may(user, action: str, record: IssuedRecord) -> bool:
    """Used by the IssuedRecord policy: the owner's feature decides (view/sign)."""
    owner = OWNERS.get(record.owner_type)
    obj = owner.load(record.owner_id) if owner else None
    if obj is None:
        return False
    return bool(getattr(owner, action)(user, obj, record))

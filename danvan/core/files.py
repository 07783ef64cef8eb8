"""Evidence attachments: limits, type checked by content, safe names, storage outside static/.

Files are stored under UPLOAD_DIR/<yyyy>/<random>; the original name is kept only in the
database. A download goes through a scoped view, never a static URL. An upload is reported
as stored only after it was written and its size and checksum were read back.
"""
from __future__ import annotations

import hashlib
import io
import secrets
import unicodedata
import zipfile
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.datastructures import FileStorage

from danvan.core.audit import Audited
from danvan.core.models import UTCDateTime
from danvan.core.units import Unit
from danvan.core.vntext import now_utc
from danvan.extensions import db

KINDS = {
    "pdf": ("application/pdf", "PDF"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel"),
    "jpg": ("image/jpeg", "ảnh JPG"),
    "png": ("image/png", "ảnh PNG"),
}
ALLOWED_TEXT = "PDF, DOCX, XLSX, JPG, PNG"


class UploadError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Attachment(Audited, db.Model):
    __tablename__ = "attachment"
    __table_args__ = (sa.Index("ix_attachment_owner", "owner_type", "owner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_type: Mapped[str] = mapped_column(sa.String(60))
    owner_id: Mapped[int] = mapped_column(sa.Integer)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    kind: Mapped[str] = mapped_column(sa.String(10))
    size: Mapped[int] = mapped_column(sa.Integer)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    stored_name: Mapped[str] = mapped_column(sa.String(200))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    unit: Mapped[Unit] = relationship()

    def __repr__(self) -> str:
        return f"<Attachment {self.id} {self.filename!r}>"

    @property
    def mimetype(self) -> str:
        return KINDS[self.kind][0]

    @property
    def path(self) -> Path:
        return Path(current_app.config["UPLOAD_DIR"]) / self.stored_name


def sniff(head: bytes, data: io.BufferedIOBase) -> str | None:
    """The file's real kind from its content, or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"PK\x03\x04"):
        data.seek(0)
        try:
            names = set(zipfile.ZipFile(data).namelist())
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names:
            if any(n.startswith("word/") for n in names):
                return "docx"
            if any(n.startswith("xl/") for n in names):
                return "xlsx"
    return None


def safe_filename(name: str) -> str:
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*').strip(" .")
    return name[:200] or "tep-dinh-kem"


def named_for_kind(name: str, kind: str) -> str:
    """The user's name with the extension of the type detected from the content: `x.html` that is
    a PDF is stored and served as `x.pdf`, `shell.php` holding a PNG as `shell.png`."""
    stem = safe_filename(name)
    if "." in stem:
        stem = stem.rsplit(".", 1)[0].strip(" .") or "tep-dinh-kem"
    return f"{stem[:190]}.{kind}"


def store(upload: FileStorage | None, *, owner_type: str, owner_id: int, unit_id: int,
          actor) -> Attachment:
    """Validate and store one uploaded file; raises UploadError with a Vietnamese message."""
    if upload is None or not upload.filename:
        raise UploadError("Chưa chọn tệp.")
    limit = current_app.config["MAX_ATTACHMENT_BYTES"]
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise UploadError(f"Tệp «{safe_filename(upload.filename)}» lớn hơn 20 MB.")
    if not data:
        raise UploadError(f"Tệp «{safe_filename(upload.filename)}» rỗng.")
    kind = sniff(data[:16], io.BytesIO(data))
    if kind is None:
        raise UploadError(
            f"Tệp «{safe_filename(upload.filename)}» không đúng định dạng cho phép ({ALLOWED_TEXT}); "
            "hệ thống kiểm tra nội dung tệp, không chỉ phần đuôi tên.")
    stored_name = f"{now_utc():%Y}/{secrets.token_hex(16)}"
    path = Path(current_app.config["UPLOAD_DIR"]) / stored_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    if hashlib.sha256(path.read_bytes()).hexdigest() != digest:  # confirm what was stored
        path.unlink(missing_ok=True)
        raise UploadError("Không lưu được tệp, vui lòng thử lại.")
    attachment = Attachment(owner_type=owner_type, owner_id=owner_id, unit_id=unit_id,
                            filename=named_for_kind(upload.filename, kind), kind=kind, size=len(data),
                            sha256=digest, stored_name=stored_name,
                            uploaded_by_id=getattr(actor, "id", None))
    db.session.add(attachment)
    db.session.flush()
    return attachment


def attachments_of(owner_type: str, owner_ids: list[int]) -> dict[int, list[Attachment]]:
    """Live attachments of many owners in one query."""
    out: dict[int, list[Attachment]] = {i: [] for i in owner_ids}
    if not owner_ids:
        return out
    rows = db.session.scalars(sa.select(Attachment).where(
        Attachment.owner_type == owner_type, Attachment.owner_id.in_(owner_ids),
        Attachment.archived_at.is_(None)).order_by(Attachment.id))
    for row in rows:
        out[row.owner_id].append(row)
    return out

"""Stored files behind one interface, and evidence attachments on top of it.

Storage (`FILE_STORAGE`): `folder` keeps bytes under UPLOAD_DIR/<name>; `database` keeps them in
`file_chunk` rows (1 MB each), so every app server and every database backup has them. Callers
only see `save()`, `stream()`, `read()`, `delete()`: a name and its sha256. Every read checks
the sha256 before the first byte leaves; downloads stream chunk by chunk.

Attachments: limits, type checked by content, safe names; the original name is kept only in the
database. A download goes through a scoped view, never a static URL. An upload is reported as
stored only after it was written and its checksum was read back.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import os
import secrets
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Response, current_app
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


CHUNK = 1024 * 1024


class CorruptFile(Exception):
    """The stored bytes no longer match their sha256 (or are gone)."""


class FileChunk(db.Model):
    """File bytes for FILE_STORAGE=database, in order."""

    __tablename__ = "file_chunk"

    id = None  # keyed by (name, seq)
    name: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    seq: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)

    __repr_attrs__ = ("name", "seq")


class FolderStore:
    def __init__(self, root: str) -> None:
        self.root = Path(root)

    def _path(self, name: str) -> Path:
        path = (self.root / name).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise CorruptFile(name)
        return path

    def save(self, name: str, data: bytes) -> None:
        path = self._path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)  # a reader never sees half a file

    def chunks(self, name: str) -> Iterator[bytes]:
        try:
            fh = self._path(name).open("rb")
        except FileNotFoundError:
            raise CorruptFile(name) from None

        def read():
            with fh:
                while block := fh.read(CHUNK):
                    yield block

        return read()

    detached_chunks = chunks  # a file needs no context

    def exists(self, name: str) -> bool:
        return self._path(name).is_file()

    def delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)


class DatabaseStore:
    """Bytes in the request's transaction: a file and the row naming it commit together."""

    def save(self, name: str, data: bytes) -> None:
        self.delete(name)
        for seq, start in enumerate(range(0, max(len(data), 1), CHUNK)):
            db.session.add(FileChunk(name=name, seq=seq, data=data[start:start + CHUNK]))
        db.session.flush()

    def _seqs(self, session, name: str) -> list[int]:
        seqs = list(session.scalars(sa.select(FileChunk.seq).where(FileChunk.name == name).order_by(FileChunk.seq)))
        if not seqs:
            raise CorruptFile(name)
        return seqs

    @staticmethod
    def _chunk(conn, name: str, seq: int) -> bytes:
        return conn.execute(sa.select(FileChunk.data).where(FileChunk.name == name, FileChunk.seq == seq)).scalar_one()

    def chunks(self, name: str) -> Iterator[bytes]:
        """In the current transaction (sees what it wrote); one chunk per query, so a 20 MB file
        never sits whole in memory."""
        session = db.session()
        seqs = self._seqs(session, name)
        return (self._chunk(session, name, seq) for seq in seqs)

    def detached_chunks(self, name: str) -> Iterator[bytes]:
        """For a response that streams after the request's context (and session) is gone, on a
        connection of its own; the request has committed by then. (Tests bind the session to
        one connection: that one is reused.)"""
        session = db.session()
        seqs, bind = self._seqs(session, name), session.get_bind()

        def read():
            opened = contextlib.nullcontext(bind) if isinstance(bind, sa.Connection) else bind.connect()
            with opened as conn:
                for seq in seqs:
                    yield self._chunk(conn, name, seq)

        return read()

    def exists(self, name: str) -> bool:
        return db.session.scalar(sa.select(sa.func.count()).where(FileChunk.name == name)) > 0

    def delete(self, name: str) -> None:
        db.session.execute(sa.delete(FileChunk).where(FileChunk.name == name))


def store_for(kind: str | None = None) -> FolderStore | DatabaseStore:
    kind = kind or current_app.config.get("FILE_STORAGE", "folder")
    if kind == "folder":
        return FolderStore(current_app.config["UPLOAD_DIR"])
    if kind == "database":
        return DatabaseStore()
    raise RuntimeError(f"FILE_STORAGE={kind!r}: chọn 'folder' hoặc 'database'")


def new_name(prefix: str = "") -> str:
    return f"{prefix}{now_utc():%Y}/{secrets.token_hex(16)}"


def save(data: bytes, name: str | None = None) -> tuple[str, str]:
    """Store bytes; returns (name, sha256) after reading them back."""
    name = name or new_name()
    store = store_for()
    store.save(name, data)
    digest = hashlib.sha256(data).hexdigest()
    if _digest(store, name) != digest:  # confirm what was stored
        store.delete(name)
        raise UploadError("Không lưu được tệp, vui lòng thử lại.")
    return name, digest


def _digest(store, name: str) -> str:
    h = hashlib.sha256()
    for block in store.chunks(name):
        h.update(block)
    return h.hexdigest()


def verify(name: str, sha256: str, store=None) -> None:
    store = store or store_for()
    if _digest(store, name) != sha256:
        raise CorruptFile(name)


def stream(name: str, sha256: str) -> Iterator[bytes]:
    """The file's chunks for a response, after its checksum was verified (raises CorruptFile
    before any byte)."""
    store = store_for()
    verify(name, sha256, store)
    return store.detached_chunks(name)


def read(name: str, sha256: str) -> bytes:
    store = store_for()
    data = b"".join(store.chunks(name))
    if hashlib.sha256(data).hexdigest() != sha256:
        raise CorruptFile(name)
    return data


def delete(name: str) -> None:
    store_for().delete(name)


def download(name: str, sha256: str, *, filename: str, mimetype: str, size: int | None = None,
             inline: bool = False) -> Response:
    """A streaming response with a safe Content-Disposition (UTF-8 name, ASCII fallback)."""
    from urllib.parse import quote

    chunks = stream(name, sha256)
    response = Response(chunks, mimetype=mimetype, direct_passthrough=True)
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode() or "tep"
    ascii_name = ascii_name.replace('"', "").replace("\\", "")
    response.headers["Content-Disposition"] = (
        f"{'inline' if inline else 'attachment'}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}")
    if size is not None:
        response.headers["Content-Length"] = str(size)
    response.headers["Cache-Control"] = "no-store"
    return response


class UploadError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Attachment(Audited, db.Model):
    __tablename__ = "attachment"
    __table_args__ = (sa.Index("ix_attachment_owner", "owner_type", "owner_id"),)

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

    __repr_attrs__ = ("id", "filename")

    @property
    def mimetype(self) -> str:
        return KINDS[self.kind][0]

    def read_bytes(self) -> bytes:
        return read(self.stored_name, self.sha256)

    def read_or_none(self) -> bytes | None:
        """The bytes, or None when the stored file is missing or damaged (logged)."""
        try:
            return self.read_bytes()
        except CorruptFile:
            current_app.logger.error("stored file %s of attachment %s is missing or damaged",
                                     self.stored_name, self.id)
            return None

    def download(self) -> Response:
        return download(self.stored_name, self.sha256, filename=named_for_kind(self.filename, self.kind),
                        mimetype=self.mimetype, size=self.size)


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
    stored_name, digest = save(data)
    attachment = Attachment(owner_type=owner_type, owner_id=owner_id, unit_id=unit_id,
                            filename=named_for_kind(upload.filename, kind), kind=kind, size=len(data),
                            sha256=digest, stored_name=stored_name,
                            uploaded_by_id=getattr(actor, "id", None))
    db.session.add(attachment)
    db.session.flush()
    return attachment


def referenced() -> list[tuple[str, str]]:
    """Every (name, sha256) the database points at: attachments and job results."""
    from danvan.core.jobs import Job  # jobs stores its results through this module

    rows = db.session.execute(sa.union(
        sa.select(Attachment.stored_name, Attachment.sha256),
        sa.select(Job.result_name, Job.result_sha256).where(Job.result_name.is_not(None)),
        sa.select(Job.input_name, Job.input_sha256).where(Job.input_name.is_not(None))))
    return sorted({(name, digest) for name, digest in rows})


def migrate_storage(to: str, echo=print) -> tuple[int, int, int]:
    """Copy every referenced file from the other store into `to`, checking each sha256 on both
    sides; one commit per file, and files already there intact are skipped, so it resumes.
    Returns (copied, already there, failed)."""
    source, target = store_for("folder" if to == "database" else "database"), store_for(to)
    copied = present = failed = 0
    for name, digest in referenced():
        try:
            verify(name, digest, target)
            present += 1
            continue
        except CorruptFile:
            pass
        try:
            verify(name, digest, source)
            with db.session.begin_nested():  # a failed copy leaves nothing half-written, undoes nothing else
                target.save(name, b"".join(source.chunks(name)))
                verify(name, digest, target)
        except CorruptFile:
            failed += 1
            echo(f"LỖI: tệp {name} thiếu hoặc sai mã kiểm tra sha256, không chuyển được.")
            continue
        db.session.commit()
        copied += 1
    return copied, present, failed


_owner_readers: dict[str, Callable[[Any, int], bool]] = {}


def register_owner_reader(owner_type: str, may_read: Callable[[Any, int], bool]) -> None:
    """A feature whose objects not everyone in scope may read (drafts) says who reads their files:
    `may_read(user, owner_id)`. Other owners' files are read by whoever has the unit in scope."""
    _owner_readers[owner_type] = may_read


def owner_readable(user, attachment: Attachment) -> bool:
    check = _owner_readers.get(attachment.owner_type)
    return check is None or bool(check(user, attachment.owner_id))


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

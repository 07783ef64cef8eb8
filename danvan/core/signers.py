"""Who signs a numbered document, and for whom it is meant: per document, not per user.

A feature keeps, for each of its documents (owner_type, owner_id, doc_key), a signer block
(T/M, K/T, T/L authority; chức vụ; họ tên) and a Nơi nhận list. Until someone edits them they
default to the issuing unit's leader, never to the officer who happens to be logged in: the
officer drafts, the leader signs.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from danvan.core.audit import Audited
from danvan.core.models import Versioned
from danvan.core.units import Unit
from danvan.extensions import db

AUTHORITY_PREFIXES = ("T/M ", "K/T ", "T/L ", "TM. ", "KT. ", "TL. ")
DEFAULT_RECIPIENTS = ["Như trên", "Lưu Văn phòng"]


class DocumentSigner(Audited, Versioned, db.Model):
    __tablename__ = "document_signer"
    __table_args__ = (sa.UniqueConstraint("owner_type", "owner_id", "doc_key", name="uq_document_signer_doc"),)

    owner_type: Mapped[str] = mapped_column(sa.String(60))
    owner_id: Mapped[int] = mapped_column(sa.Integer)
    doc_key: Mapped[str] = mapped_column(sa.String(40))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    authority: Mapped[str] = mapped_column(sa.String(120), default="")
    title: Mapped[str] = mapped_column(sa.String(120), default="")
    name: Mapped[str] = mapped_column(sa.String(120), default="")
    recipients: Mapped[str] = mapped_column(sa.Text, default="")

    __repr_attrs__ = ("owner_type", "owner_id", "doc_key", "name")

    def as_spec(self) -> dict:
        return {"signer_authority": self.authority, "signer_title": self.title, "signer_name": self.name,
                "recipients": lines(self.recipients) or list(DEFAULT_RECIPIENTS)}


def lines(text: str) -> list[str]:
    """Nơi nhận typed one per line, with or without the leading '-' and trailing ',' or '.'."""
    out = []
    for line in (text or "").splitlines():
        line = line.strip().lstrip("-–•").strip().rstrip(",.;").strip()
        if line:
            out.append(line)
    return out


def unit_leader(unit: Unit) -> tuple[str, str] | None:
    """(full name, title) of the unit's first active leader, read from the user tables by name
    (core imports no feature)."""
    users, roles = db.metadata.tables["user_account"], db.metadata.tables["user_role"]
    row = db.session.execute(
        sa.select(users.c.full_name, users.c.title)
        .join(roles, roles.c.user_id == users.c.id)
        .where(users.c.unit_id == unit.id, users.c.active.is_(True), roles.c.role == "leader")
        .order_by(users.c.id).limit(1)).first()
    return (row.full_name, row.title or "") if row else None


def default_signer(unit: Unit) -> dict:
    """The leader signs: a deputy (Phó …) signs K/T for the head; the head signs in their own name."""
    leader = unit_leader(unit)
    name, title = leader if leader else ("", "")
    title = _position(title.upper(), issuer_parts(unit)[1])
    authority = ""
    if title.startswith("PHÓ "):
        authority = "K/T " + title.removeprefix("PHÓ ").strip()
    return {"signer_authority": authority, "signer_title": title, "signer_name": name,
            "recipients": list(DEFAULT_RECIPIENTS)}


def _position(title: str, issuer: str) -> str:
    """The position as a signature block prints it: the body is named in the header already, so
    "PHÓ TRƯỞNG BAN DÂN VẬN TỈNH ỦY" of BAN DÂN VẬN signs as "PHÓ TRƯỞNG BAN"."""
    at = title.find(issuer) if issuer else -1
    if at > 0:
        return (title[:at] + issuer.split()[0]).strip()
    return title


def signers_for(owner_type: str, owner_id: int, unit: Unit) -> dict[str, dict]:
    """doc_key → signer spec for every document of one owner that has its own (one query)."""
    rows = db.session.scalars(sa.select(DocumentSigner).where(
        DocumentSigner.owner_type == owner_type, DocumentSigner.owner_id == owner_id))
    return {row.doc_key: row.as_spec() for row in rows}


def signer_row(owner_type: str, owner_id: int, doc_key: str) -> DocumentSigner | None:
    return db.session.scalar(sa.select(DocumentSigner).where(
        DocumentSigner.owner_type == owner_type, DocumentSigner.owner_id == owner_id,
        DocumentSigner.doc_key == doc_key))


def signer_spec(owner_type: str, owner_id: int, doc_key: str, unit: Unit) -> dict:
    row = signer_row(owner_type, owner_id, doc_key)
    return row.as_spec() if row else default_signer(unit)


def issuer_parts(unit: Unit) -> tuple[str, str]:
    """(superior body, issuing body) as printed top left of a Party document, upper case."""
    parent = unit.parent
    if unit.kind == "ban" and parent is not None:
        name = unit.name
        if name.endswith(parent.name):
            name = name[: -len(parent.name)].strip()
        else:
            prefix = " ".join(parent.name.split()[:2])     # "Tỉnh ủy", "Huyện ủy", "Thành ủy"
            if name.endswith(prefix):
                name = name[: -len(prefix)].strip()
        return parent.name.upper(), name.upper()
    if unit.kind == "xa":
        return (parent.name.upper() if parent else ""), f"ĐẢNG ỦY {unit.name.upper()}"
    return (parent.name.upper() if parent else ""), unit.name.upper()


def place_of(unit: Unit, default: str) -> str:
    for u in (unit, unit.parent):
        if u is None or u.kind not in ("huyen_uy", "xa"):
            continue
        words = u.name.split()
        return " ".join(words[2:] if u.kind == "huyen_uy" else words[1:]) or default
    return default


class SignerError(ValueError):
    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.message, self.field = message, field


def save_signer(owner_type: str, owner_id: int, doc_key: str, unit: Unit, *, authority: str, title: str,
                name: str, recipients: str, version: int | str | None = None) -> DocumentSigner:
    authority = " ".join((authority or "").split()).upper()
    if authority and not authority.startswith(AUTHORITY_PREFIXES):
        raise SignerError("Thẩm quyền ký bắt đầu bằng T/M, K/T hoặc T/L (ví dụ: K/T TRƯỞNG BAN), "
                          "hoặc để trống khi người đứng đầu ký.", "authority")
    if not (name or "").strip():
        raise SignerError("Nhập họ tên người ký.", "name")
    row = signer_row(owner_type, owner_id, doc_key)
    if row is None:
        row = DocumentSigner(owner_type=owner_type, owner_id=owner_id, doc_key=doc_key, unit_id=unit.id)
        db.session.add(row)
    elif version is not None:
        row.check_version(version)
    row.authority, row.title, row.name = authority, " ".join(title.split()).upper(), name.strip()
    row.recipients = "\n".join(lines(recipients))
    db.session.flush()
    return row

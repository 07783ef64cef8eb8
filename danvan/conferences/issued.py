"""The conference's numbered documents as records (core.records): frozen when the number is taken.

Giấy mời: one number for every invited unit's letter; the record keeps the joined PDF (each
unit's letter, then the attached lists) and, in its data, the pages of each unit's copy, so a
unit's own invitation is cut from the stored bytes, never re-rendered. Chương trình and Thông
báo kết luận keep their PDF and DOCX. After issue, a changed source shows "will not follow"
and the organiser may issue a replacement (new number; the old record says by which).
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from danvan import printing
from danvan.core import access, records, signers
from danvan.extensions import db

from . import documents, notices, service
from .models import DOCUMENTS, Conference, ConferenceDocument, ConferenceInvitee
from .service import ConferenceError

OWNER = documents.OWNER


def _load(conference_id: int) -> Conference | None:
    conf = db.session.get(Conference, conference_id)
    return conf if conf is not None and conf.archived_at is None else None


def _participates(user, conf: Conference) -> bool:
    return bool(db.session.scalar(sa.select(sa.exists().where(
        Conference.id == conf.id, service.participation(user, conf.id)))))


def _can_view(user, conf: Conference, record) -> bool:
    if not access.has_permission(user, "conferences.print"):
        return False
    if service.organises(user, conf):
        return True
    return record.doc_key in service.PUBLIC_DOCUMENTS and _participates(user, conf)


def _can_sign(user, conf: Conference, record) -> bool:
    return access.can(user, "manage", conf)


records.register_owner(OWNER, load=_load, view=_can_view, sign=_can_sign)


def source(conf: Conference, key: str) -> dict:
    """The plain data a document is made from (what the record keeps, what "changed" compares)."""
    if key == "giay-moi":
        letters, lists = documents.invitation_parts(conf)
        return {"letters": [d["doc"] for _, d in letters], "lists": [d["doc"] for _, d in lists]}
    return documents.spec(conf, key)


def _render(conf: Conference, key: str) -> tuple[bytes, bytes, dict]:
    data = source(conf, key)
    if key != "giay-moi":
        return documents.pdf(conf, key), documents.docx(conf, key), data
    letters, lists = documents.invitation_parts(conf)
    pdf, counts = printing.render_pdfs_counted(letters + lists)
    invitees = list(conf.invitees) or [None]
    list_pages = sum(counts[len(letters):])
    first, copies = 0, {}
    for inv, count in zip(invitees, counts):
        if inv is not None:
            copies[str(inv.id)] = [first, count]
        first += count
    data = dict(data, copies=copies, lists_at=[first, list_pages])
    return pdf, documents.docx(conf, key), data


def issue(conf: Conference, key: str, *, actor, on: date | None = None) -> records.IssuedRecord:
    """Take the number (service.issue) and freeze what it prints; once per number. `on`: see service.issue."""
    existing = records.current(OWNER, conf.id, key)
    if existing is not None:
        return existing
    doc = service.issue(conf, key, actor=actor, on=on)
    record = _freeze(conf, key, doc, actor)
    if key == "giay-moi":
        notices.invitation_issued(conf, record.number_text, actor=actor)
    return record


def _freeze(conf: Conference, key: str, doc: ConferenceDocument, actor, replaces=None) -> records.IssuedRecord:
    pdf, docx, data = _render(conf, key)
    return records.issue(owner_type=OWNER, owner_id=conf.id, doc_key=key, unit=conf.unit,
                         number_text=doc.number_text, issued_on=doc.issued_on,
                         title=f"{DOCUMENTS[key][0]} – {conf.title}", data=data, pdf=pdf, docx=docx,
                         actor=actor, replaces=replaces)


def replace(conf: Conference, key: str, *, actor) -> records.IssuedRecord:
    """A new number for a changed document; the old record stays, marked as replaced by it."""
    old = records.current(OWNER, conf.id, key)
    if old is None:
        raise ConferenceError("Văn bản chưa ban hành: cấp số lần đầu thay vì thay thế.", None, 409)
    doc = conf.document(key)
    conf.documents.remove(doc)
    db.session.flush()
    new_doc = service.issue(conf, key, actor=actor)
    record = _freeze(conf, key, new_doc, actor, replaces=old)
    if key == "giay-moi":
        notices.invitation_issued(conf, record.number_text, actor=actor)
    return record


def set_signer(conf: Conference, key: str, data: dict) -> None:
    """A numbered document's own signer block; refused once issued (its record is frozen)."""
    if records.current(OWNER, conf.id, key) is not None:
        raise ConferenceError("Văn bản đã ban hành: người ký đã in trong bản lưu. Muốn đổi, ban hành văn bản "
                              "thay thế sau khi sửa.", "name", 409)
    signers.save_signer(OWNER, conf.id, key, conf.unit, authority=data.get("authority") or "",
                        title=data.get("title") or "", name=data.get("name") or "",
                        recipients=data.get("recipients") or "")


def signer_forms(conf: Conference) -> dict:
    """Per numbered document not yet issued: its signer form, filled with what it prints now."""
    from .forms import SignerForm

    out = {}
    for key, (_, code) in DOCUMENTS.items():
        if code and conf.document(key) is None:
            spec = documents.spec(conf, key) if key != "giay-moi" else documents.invitation(conf, None)
            out[key] = SignerForm(formdata=None, prefix=key, data={
                "authority": spec["signer_authority"], "title": spec["signer_title"], "name": spec["signer_name"],
                "recipients": "\n".join(spec["recipients"])})
    return out


def not_following(conf: Conference) -> list[records.IssuedRecord]:
    """Issued documents whose conference data changed since: they keep printing what was issued."""
    in_force = [r for r in records.records_of(OWNER, [conf.id])[conf.id] if not r.replaced_by_id]
    stale = []
    for record in in_force:
        fresh = source(conf, record.doc_key)
        if record.doc_key == "giay-moi":
            fresh = dict(fresh, copies=record.data.get("copies"), lists_at=record.data.get("lists_at"))
        if records.digest(fresh) != record.data_sha256:
            stale.append(record)
    return stale


def in_force(conf: Conference) -> dict[str, records.IssuedRecord]:
    return {r.doc_key: r for r in reversed(records.records_of(OWNER, [conf.id])[conf.id]) if not r.replaced_by_id}


# ---------------------------------------------------------------- what a download serves

def pdf(conf: Conference, key: str) -> tuple[bytes, str]:
    """(bytes, state): the stored PDF of the number in force, or a draft rendered now."""
    record = records.current(OWNER, conf.id, key)
    if record is not None:
        return records.pdf_bytes(record), "issued"
    return documents.pdf(conf, key), "draft"


def docx(conf: Conference, key: str) -> tuple[bytes, str]:
    record = records.current(OWNER, conf.id, key)
    if record is not None and record.docx is not None:
        return records.docx_bytes(record), "issued"
    return documents.docx(conf, key), "draft"


def invitee_pdf(conf: Conference, invitee: ConferenceInvitee) -> tuple[bytes, str]:
    """One unit's invitation with the attached lists: its pages of the stored PDF once issued."""
    record = records.current(OWNER, conf.id, "giay-moi")
    copy = record.data.get("copies", {}).get(str(invitee.id)) if record is not None else None
    if copy is None:
        if record is not None:   # invited after the issue: not in the issued letters
            raise ConferenceError("Đơn vị được mời sau khi giấy mời đã ban hành: ban hành giấy mời thay thế.",
                                  None, 409)
        return documents.invitation_pdf(conf, invitee), "draft"
    lists_at = record.data.get("lists_at", [0, 0])
    return printing.pdf_pages(records.pdf_bytes(record), [tuple(copy), tuple(lists_at)]), "issued"


def packet(conf: Conference) -> bytes:
    """The packet with each issued document as stored (or its signed copy), drafts for the rest."""
    official = {}
    for key, record in in_force(conf).items():
        if key == "giay-moi" and record.signed is None:
            # one unit's letter and the lists stand for all: the packet is read, not mailed
            copies = sorted(record.data.get("copies", {}).values())
            ranges = [tuple(copies[0])] if copies else []
            data = printing.pdf_pages(records.pdf_bytes(record), ranges + [tuple(record.data.get("lists_at", [0, 0]))])
            official[key] = printing.Section(f"Giấy mời số {record.number_text}", pdf=data)
        else:
            official[key] = official_section(record, f"{DOCUMENTS[key][0]} số {record.number_text}")
    return documents.packet(conf, official)


def official_section(record: records.IssuedRecord, label: str) -> printing.Section:
    """A packet section from a record: the signed scan when there is one, else the stored PDF."""
    if record.signed is not None:
        scan = records.read(record.signed)
        return printing.Section(f"{label} (bản đã ký)", pdf=scan if record.signed.kind == "pdf"
                                else printing.image_pdf(scan))
    return printing.Section(label, pdf=records.pdf_bytes(record))


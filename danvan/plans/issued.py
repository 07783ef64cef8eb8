"""Approved plans and reports as records (core.records): the number taken on approval freezes the
PDF and the DOCX with the data they were made from; the number then serves those bytes only.
Before approval the document prints as a draft ("DỰ THẢO" on every page, no number)."""
from __future__ import annotations

from flask import current_app

from danvan import printing
from danvan.core import access, files, records
from danvan.extensions import db
from danvan.printing import office

from .models import PlanDocument

OWNER = "PlanDocument"
TEMPLATE = "print/plan_document.html"


def _load(document_id: int) -> PlanDocument | None:
    return db.session.get(PlanDocument, document_id)


def _readable(user, document_id: int) -> bool:
    doc = _load(document_id)
    return doc is not None and access.can(user, "view", doc)


files.register_owner_reader(OWNER, _readable)     # a draft's attachments are its unit's only, like the draft
records.register_owner(
    OWNER, load=_load,
    view=lambda user, doc, record: access.can(user, "view", doc),
    sign=lambda user, doc, record: access.can(user, "plans.edit", doc))


def source(doc: PlanDocument) -> dict:
    """The plain data the print is made from (what the record keeps)."""
    unit = doc.unit
    authority = (f"{doc.signer_mode} {doc.signer_authority}".strip() if doc.signer_mode
                 else doc.signer_authority).upper()
    return {
        "superior": unit.parent.name.upper() if unit.parent is not None else "", "issuer": unit.name.upper(),
        "place": current_app.config.get("PROVINCE_PLACE", ""), "authority": authority,
        "doc": {
            "number_text": doc.number_text, "issued_on": doc.issued_on, "type_code": doc.type_code,
            "issuer_code": unit.code or "", "kind": doc.type_label.upper(), "type_label": doc.type_label,
            "summary": doc.summary, "period": doc.period, "sections": doc.sections,
            "signer_title": doc.signer_title.upper(), "signer_name": doc.signer_name,
            "signed": doc.state == "approved", "draft": doc.number is None,
            "recipients": [line.rstrip(",.;") for line in doc.recipient_lines],
        },
    }


def _docx(data: dict) -> bytes:
    d = data["doc"]
    paragraphs = []
    for s in d["sections"]:
        if s.get("heading"):
            paragraphs.append({"lead": s["heading"], "text": ""})
        paragraphs += [{"text": line.strip()} for line in (s.get("body") or "").splitlines() if line.strip()]
    return office.docx_document({
        "superior": data["superior"], "issuer": data["issuer"], "number": d["number_text"],
        "type_code": d["type_code"], "issuer_code": d["issuer_code"], "place": data["place"],
        "issued_on": d["issued_on"], "kind": d["kind"], "summary": d["summary"], "subtitle": d["period"],
        "paragraphs": paragraphs, "table": None, "after": [], "recipients": d["recipients"],
        "signer_authority": data["authority"], "signer_title": d["signer_title"], "signer_name": d["signer_name"],
        "draft": d["draft"]})


def freeze(doc: PlanDocument, *, actor) -> records.IssuedRecord:
    """Called when approval takes the number: store what that number prints, once."""
    existing = records.current(OWNER, doc.id, "document")
    if existing is not None:
        return existing
    data = source(doc)
    return records.issue(owner_type=OWNER, owner_id=doc.id, doc_key="document", unit=doc.unit,
                         number_text=doc.number_text, issued_on=doc.issued_on,
                         title=f"{doc.type_label}: {doc.summary}", data=data,
                         pdf=printing.render_pdf(TEMPLATE, **data), docx=_docx(data), actor=actor)


def pdf(doc: PlanDocument) -> tuple[bytes, str]:
    """(bytes, state): the stored PDF of the approved number, or a draft rendered now."""
    record = records.current(OWNER, doc.id, "document")
    if record is not None:
        return records.pdf_bytes(record), "issued"
    return printing.render_pdf(TEMPLATE, **source(doc)), "draft"


def docx(doc: PlanDocument) -> tuple[bytes, str]:
    record = records.current(OWNER, doc.id, "document")
    if record is not None and record.docx is not None:
        return records.docx_bytes(record), "issued"
    return _docx(source(doc)), "draft"


def record_of(doc: PlanDocument) -> records.IssuedRecord | None:
    return records.current(OWNER, doc.id, "document")

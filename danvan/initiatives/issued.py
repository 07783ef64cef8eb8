"""Recognition decisions (Quyết định công nhận «Dân vận khéo») as records (core.records): the
decision's number freezes its PDF and DOCX, with the list of recognised models, when it is taken."""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from danvan import printing
from danvan.core import access, records, signers
from danvan.core.models import by_name
from danvan.core.vntext import fmt_date
from danvan.extensions import db
from danvan.printing import office

from .models import Initiative, InitiativeRecognition

OWNER = "InitiativeRecognition"
TEMPLATE = "print/party_document.html"

records.register_owner(
    OWNER, load=lambda i: db.session.get(InitiativeRecognition, i),
    view=lambda user, decision, record: access.can(user, "initiatives.view", decision),
    sign=lambda user, decision, record: access.can(user, "initiatives.review", decision))


def spec(decision: InitiativeRecognition) -> dict:
    """The decision as a generic Party document: articles, then the list of recognised models."""
    rows = list(db.session.scalars(sa.select(Initiative).where(Initiative.recognition_id == decision.id)
                                   .order_by(Initiative.unit_id, by_name(Initiative), Initiative.id)))
    superior, issuer = signers.issuer_parts(decision.unit)
    data = dict(
        superior=superior, issuer=issuer, issuer_code=decision.unit.code or "ĐU", type_code="QĐ",
        number=decision.number_text, issued_on=decision.decided_on,
        place=signers.place_of(decision.unit, current_app.config["PROVINCE_PLACE"]),
        kind="QUYẾT ĐỊNH", summary=decision.title, subtitle="", draft=False,
        paragraphs=[
            {"lead": "Điều 1.", "text": f"Công nhận {len(rows):,} mô hình, điển hình «Dân vận khéo» năm "
                                        f"{decision.year} (có danh sách kèm theo).".replace(",", ".")},
            {"lead": "Điều 2.", "text": "Các đơn vị có mô hình, điển hình được công nhận tiếp tục duy trì, "
                                        "nhân rộng và báo cáo kết quả theo quy định."},
            {"lead": "Điều 3.", "text": f"Quyết định có hiệu lực từ ngày {fmt_date(decision.decided_on)}."},
        ],
        table={"columns": [("TT", 12), ("Tên mô hình, điển hình", 78), ("Đơn vị", 45), ("Lĩnh vực", 30)],
               "rows": [[i, o.name, o.unit.name, o.field.name] for i, o in enumerate(rows, start=1)]},
        after=[], bookmark="Quyết định")
    data.update(signers.signer_spec(OWNER, decision.id, "decision", decision.unit))
    return data


def freeze(decision: InitiativeRecognition, *, actor) -> records.IssuedRecord:
    """The decision as issued: stored once, when first issued; later calls return that record."""
    return record_of(decision) or _issue(decision, actor)


def _issue(decision: InitiativeRecognition, actor) -> records.IssuedRecord:
    data = spec(decision)
    return records.issue(owner_type=OWNER, owner_id=decision.id, doc_key="decision", unit=decision.unit,
                         number_text=decision.number_text, issued_on=decision.decided_on, title=decision.title,
                         data=data, pdf=printing.render_pdf(TEMPLATE, doc=data), docx=office.docx_document(data),
                         actor=actor)


def record_of(decision: InitiativeRecognition) -> records.IssuedRecord | None:
    return records.current(OWNER, decision.id, "decision")

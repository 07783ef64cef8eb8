"""Samples for plans and notifications routes: documents, calls, delegations, notifications."""
from __future__ import annotations

import io
from datetime import timedelta

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from danvan import calls
from danvan.auth.models import User
from danvan.core import files
from danvan.core.vntext import today_local
from danvan.extensions import db
from danvan.notifications.models import Notification
from danvan.plans import documents
from danvan.plans.models import PlanDelegation, PlanDocument

DOC = {"type_code": "KH", "summary": "Kế hoạch mẫu", "year": 2026,
       "sections": [{"heading": "I. MỤC ĐÍCH", "body": "Nội dung"}], "signer_name": "Nguyễn Văn A"}


def _document(world):
    """Sent and returned to the commune: the district reads it (a draft is its unit's only) and
    the commune still edits it."""
    def make(unit):
        doc = documents.create_document(unit, DOC, actor=None)
        documents.transition(doc, "submit", actor=world.create_user(unit, ["officer"]))
        documents.transition(doc, "return", actor=world.create_user(unit.parent, ["leader"]), comment="Bổ sung")
        return doc.id
    return make(world.c1), make(world.c3)


def _call(world):
    data = {"title": "Báo cáo mẫu", "type_code": "BC", "deadline": today_local() + timedelta(days=5)}
    return (calls.create_call(world.d1, data, [world.c1], actor=None, notify=False).id,
            calls.create_call(world.d2, data, [world.c3], actor=None, notify=False).id)


def _notification(world):
    # Notifications are personal: "own" belongs to the matrix user (the latest account in D1's ban).
    me = db.session.scalar(sa.select(User).where(User.unit_id == world.d1b.id).order_by(User.id.desc()))
    me = me or world.create_user(world.c1, ["officer"])
    other = world.create_user(world.c3, ["officer"])
    rows = [Notification(user_id=u.id, unit_id=u.unit_id, title="Thông báo mẫu", link="/") for u in (me, other)]
    db.session.add_all(rows)
    db.session.flush()
    return rows[0].id, rows[1].id


def _delegation(world):
    def make(unit):
        leader = world.create_user(unit, ["leader"])
        officer = world.create_user(unit, ["officer"])
        row = PlanDelegation(unit_id=unit.id, delegator_id=leader.id, delegate_id=officer.id,
                             starts_on=today_local(), ends_on=today_local() + timedelta(days=3))
        db.session.add(row)
        db.session.flush()
        return row.id
    return make(world.c1), make(world.c3)


SAMPLES = {"document_id": _document, "call_id": _call, "notification_id": _notification,
           "delegation_id": _delegation}


def _attachment(world, ids: dict) -> dict:
    doc = db.session.get(PlanDocument, ids["document_id"])
    att = files.store(FileStorage(io.BytesIO(b"%PDF-1.4\n%x\n"), filename="mau.pdf"), owner_type="PlanDocument",
                      owner_id=doc.id, unit_id=doc.unit_id, actor=None)
    return {"attachment_id": att.id}


FORMS = {"plans.document_attachment_remove": _attachment}

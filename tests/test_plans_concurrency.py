"""Two (or eight) leaders approve at the same moment: distinct, consecutive numbers.

Runs against a separately created, committed database (make_database), each approval in its own
thread with its own app context, session and connection, all released together by a barrier.
On PostgreSQL this exercises the row lock of core/numbering; on SQLite every write transaction
begins IMMEDIATE (danvan/extensions.py), so the approvals queue for the writer lock instead of
failing with "database is locked".
"""
from __future__ import annotations

import threading

import sqlalchemy as sa

from danvan import create_app
from danvan.auth.models import User
from danvan.core.units import add_unit
from danvan.extensions import db
from danvan.plans import documents
from danvan.plans.models import PlanDocument
from tests.conftest import app_config, make_database, upgrade_schema

N = 8


def _user(unit, role, name):
    user = User(username=name, full_name=name, unit=unit, active=True, password_hash="x", session_epoch=1)
    user.set_roles([role])
    user.refresh_search_key()
    db.session.add(user)
    return user


def test_concurrent_approvals_get_distinct_consecutive_numbers():
    app = create_app(app_config(make_database("plans_numbers")))
    upgrade_schema(app)
    with app.app_context():
        province = add_unit("Tỉnh ủy Song Song", "tinh_uy", parent=None, code="TU")
        district = add_unit("Huyện ủy Song Song", "huyen_uy", parent=province, code="HU")
        ban = add_unit("Ban Dân vận Huyện ủy Song Song", "ban", parent=district, code="BDVHU")
        commune = add_unit("Xã Song Song", "xa", parent=district, code="ĐU")
        officer = _user(commune, "officer", "canbo.songsong")
        leaders = [_user(ban, "leader", f"lanhdao.{i}") for i in range(N)]
        db.session.flush()
        ids = []
        for i in range(N):
            doc = documents.create_document(commune, {
                "type_code": "KH", "summary": f"Kế hoạch {i}", "year": 2026, "signer_name": "A",
                "sections": [{"heading": "I", "body": "Nội dung"}]}, actor=officer)
            documents.transition(doc, "submit", actor=officer)
            ids.append(doc.id)
        leader_ids = [u.id for u in leaders]
        db.session.commit()

    barrier = threading.Barrier(N)
    errors: list[BaseException] = []

    def approve(doc_id: int, leader_id: int) -> None:
        try:
            with app.app_context():
                doc = db.session.get(PlanDocument, doc_id)
                leader = db.session.get(User, leader_id)
                db.session.commit()  # no transaction held while waiting: SQLite's writer lock is up front
                barrier.wait(timeout=30)
                documents.transition(doc, "approve", actor=leader)
                db.session.commit()
                db.session.remove()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=approve, args=(d, u)) for d, u in zip(ids, leader_ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors

    with app.app_context():
        rows = db.session.execute(sa.select(PlanDocument.number, PlanDocument.number_text, PlanDocument.state)).all()
        approved = sorted(n for n, _, state in rows if state == "approved")
        assert approved == list(range(1, len(approved) + 1))
        assert len({t for _, t, state in rows if state == "approved"}) == len(approved)
        assert all(n is None for n, _, state in rows if state != "approved")
        assert len(approved) == N
        db.session.remove()
        db.engine.dispose()

"""Data for `make cluster-test` (run with its environment): the demo tree and logins, plans,
a year of Dân vận khéo registrations to export, and a draft report of the province ban to
attach a file to."""
from danvan import create_app
from danvan.auth import demo as auth_demo
from danvan.auth.models import User
from danvan.extensions import db
from danvan.initiatives import demo as initiatives_demo
from danvan.plans import demo as plans_demo
from danvan.plans import documents
from danvan.units import demo as units_demo

app = create_app()
with app.app_context():
    for module in (units_demo, auth_demo, plans_demo, initiatives_demo):
        module.seed("2023")
    me = db.session.scalar(db.select(User).where(User.username == "canbo.bdv"))
    documents.create_document(me.unit, {
        "type_code": "BC", "summary": "Báo cáo thử cụm máy chủ", "year": 2026, "sections": plans_demo.SECTIONS,
        "signer_mode": "T/M", "signer_authority": "BAN THƯỜNG VỤ", "signer_title": "", "signer_name": "",
        "recipients": "Lưu VT."}, actor=me)
    db.session.commit()
    db.session.execute(db.text("ANALYZE"))
    db.session.commit()

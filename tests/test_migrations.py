"""Migrations: upgrade from empty to every head and back to base, and the models match them."""
from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from danvan import create_app
from danvan.extensions import db
from tests.conftest import app_config, make_database


def test_upgrade_from_empty_then_downgrade_to_base():
    app = create_app(app_config(make_database("migrations")))
    with app.app_context():
        upgrade(revision="heads")
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"unit", "user_account", "audit_event", "workflow_history", "document_counter"} <= tables
        # The models and the migrations describe the same schema (no forgotten revision).
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), db.metadata)
        assert diff == [], f"models differ from migrations: {diff}"
        downgrade(revision="base")
        remaining = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        upgrade(revision="heads")  # and up again: downgrades left nothing behind
        db.engine.dispose()


def test_one_head():
    """Feature branches are merged: `flask db upgrade` (no argument) reaches the whole schema."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from danvan.config import ROOT

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several migration heads {heads}: add a merge revision (flask db merge heads)"


def test_frozen_inspection_conclusions_move_onto_core_records_and_back():
    """0013: a Thông báo kết luận frozen by the old inspections/freeze.py (files on inspection.pdf_id)
    becomes an IssuedRecord serving the same bytes; the downgrade gives the files back."""
    from danvan.auth import demo as auth_demo
    from danvan.core import records
    from danvan.inspections import demo as inspections_demo
    from danvan.inspections import visits
    from danvan.inspections.models import Inspection
    from danvan.units import demo as units_demo

    app = create_app(app_config(make_database("migrations_tb")))
    with app.app_context():
        upgrade(revision="heads")
        units_demo.seed("2023")
        auth_demo.seed("2023")
        inspections_demo.seed("2023")
        db.session.commit()
        insp = db.session.scalar(sa.select(Inspection).where(Inspection.state == "concluded"))
        insp_id, number = insp.id, insp.number_text
        record = visits.conclusion_record(insp)
        pdf_id, issued = record.pdf_id, records.pdf_bytes(record)
        db.session.remove()

        downgrade(revision="0016_call_deadline_history")        # the schema and data as the old freeze.py left them
        with db.engine.connect() as conn:
            legacy = conn.execute(sa.text("SELECT pdf_id FROM inspection WHERE id = :i"), {"i": insp_id}).scalar()
            assert legacy == pdf_id
            assert conn.execute(sa.text("SELECT owner_type, owner_id FROM attachment WHERE id = :a"),
                                {"a": pdf_id}).one() == ("InspectionConclusion", insp_id)
            left = sa.text("SELECT count(*) FROM issued_record WHERE owner_type = 'Inspection'")
            assert conn.execute(left).scalar() == 0

        upgrade(revision="heads")
        insp = db.session.get(Inspection, insp_id)
        record = visits.conclusion_record(insp)
        assert record.number_text == number and record.pdf_id == pdf_id and record.docx is not None
        assert record.pdf.owner_type == records.OWNER_TYPE and record.pdf.owner_id == record.id
        assert visits.frozen(insp, "pdf") == (issued, f"{record.slug}.pdf")
        assert record.data["legacy"]          # the data it was made from was not kept by freeze.py
        db.session.remove()
        db.engine.dispose()

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

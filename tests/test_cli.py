"""flask seed-demo: the demo province, idempotent; the post-2025 shape is data, not code."""
from __future__ import annotations

import sqlalchemy as sa

from danvan import create_app
from danvan.auth.models import User
from danvan.core.units import Unit
from danvan.extensions import db
from tests.conftest import app_config, make_database, upgrade_schema


def _counts(app):
    with app.app_context():
        return (db.session.scalar(sa.select(sa.func.count()).select_from(Unit)),
                db.session.scalar(sa.select(sa.func.count()).select_from(User)))


def test_seed_demo_is_idempotent_and_has_the_seeds_shape():
    app = create_app(app_config(make_database("seed")))
    upgrade_schema(app)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "108 xã, phường, thị trấn" in first.output and "admin" in first.output
    counts = _counts(app)
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "đã có, bỏ qua" in second.output
    assert _counts(app) == counts
    with app.app_context():
        root = db.session.scalar(sa.select(Unit).where(Unit.name == "Tỉnh ủy Bắc Kạn"))
        reporting = db.session.scalar(sa.select(sa.func.count()).select_from(Unit).where(
            Unit.parent_id == root.id, Unit.kind.in_(["huyen_uy", "dang_uy_truc_thuoc"])))
        communes = db.session.scalar(sa.select(sa.func.count()).select_from(Unit).where(
            Unit.kind == "xa", Unit.path.startswith(root.path)))
        assert (reporting, communes) == (11, 108)
    # the post-2025 shape: communes directly under the province, no districts
    later = runner.invoke(args=["seed-demo", "--shape", "2025"])
    assert later.exit_code == 0, later.output
    with app.app_context():
        root = db.session.scalar(sa.select(Unit).where(Unit.name == "Tỉnh ủy Thái Nguyên"))
        kinds = {u.kind for u in db.session.scalars(sa.select(Unit).where(Unit.parent_id == root.id))}
        assert kinds == {"ban", "xa"}
        db.engine.dispose()


def test_demo_logins_work(app, db_session):
    from danvan.auth import demo as auth_demo
    from danvan.units import demo as units_demo

    units_demo.seed("2023")
    auth_demo.seed("2023")
    logins = auth_demo.logins()
    assert {"admin", "lanhdao.bdv", "canbo.bdv", "lanhdao.xuathoa", "canbo.xuathoa"} <= {u for u, _, _ in logins}
    for username, _roles, unit in logins:
        c = app.test_client()
        response = c.post_form("/dang-nhap", {"username": username, "password": auth_demo.DEMO_PASSWORD})
        assert response.status_code == 303, username
        home = c.get("/")
        assert home.status_code == 200 and unit in home.get_data(as_text=True), username   # signed in as them
    refused = app.test_client().post_form("/dang-nhap", {"username": "admin", "password": "sai-mat-khau"})
    assert refused.status_code == 422

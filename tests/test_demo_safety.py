"""Issue 12, point 10: the published demo password never guards real data unnoticed."""
from __future__ import annotations

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from danvan import create_app
from danvan.auth.demo import DEMO_PASSWORD
from danvan.auth.models import User
from danvan.core.units import add_unit
from danvan.extensions import db
from tests.conftest import app_config, make_database, upgrade_schema

BANNER = "tài khoản mẫu (kể cả «admin») vẫn đăng nhập được bằng mật khẩu mẫu"


def _demo_user(unit, username="admin.demo"):
    user = User(username=username, full_name="Tài khoản mẫu", unit=unit, active=True, is_demo=True,
                password_hash=generate_password_hash(DEMO_PASSWORD), session_epoch=1)
    user.set_roles(["admin"])
    db.session.add(user)
    db.session.flush()
    return user


def test_seed_demo_refuses_a_database_with_real_accounts():
    app = create_app(app_config(make_database("realdb")))
    upgrade_schema(app)
    with app.app_context():
        unit = add_unit("Tỉnh ủy Thật", "tinh_uy", parent=None, code="TU")
        db.session.add(User(username="nguoi.that", full_name="Người thật", unit=unit, active=True,
                            password_hash=generate_password_hash("mot-cau-rat-rieng"), session_epoch=1))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "đã có 1 tài khoản không do dữ liệu mẫu tạo ra" in result.output and "--force" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.is_demo.is_(True))) == 0
        db.engine.dispose()


def test_check_deploy_lists_what_is_unsafe_and_fails(app, world, db_session, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    user = _demo_user(world.bdv)
    storage = app.config["RATELIMIT_STORAGE_URI"]
    app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True,
                      RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379")
    try:
        runner = app.test_cli_runner()
        unsafe = runner.invoke(args=["check-deploy"])
        assert unsafe.exit_code == 1
        assert "1 tài khoản mẫu còn dùng mật khẩu mẫu công khai" in unsafe.output
        user.active = False
        db_session.flush()
        safe = runner.invoke(args=["check-deploy"])
        assert safe.exit_code == 0, safe.output
        monkeypatch.delenv("SECRET_KEY")
        app.config.update(SESSION_COOKIE_SECURE=False)
        again = runner.invoke(args=["check-deploy"])
        assert again.exit_code == 1
        assert "SECRET_KEY" in again.output and "Secure" in again.output
        app.config.update(RATELIMIT_STORAGE_URI="memory://")
        assert "REDIS_URL" in runner.invoke(args=["check-deploy"]).output
    finally:
        app.config.update(SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False,
                          RATELIMIT_STORAGE_URI=storage)


def test_admins_see_a_red_banner_while_a_demo_account_keeps_the_demo_password(world, login_as, db_session):
    admin = login_as("admin", world.p)
    officer = login_as("officer", world.c1)
    assert BANNER not in admin.get("/").get_data(as_text=True)
    demo = _demo_user(world.bdv)
    assert BANNER in admin.get("/").get_data(as_text=True)
    assert BANNER not in officer.get("/").get_data(as_text=True)
    demo.set_password("mot-cau-moi-rieng-tu")
    db_session.flush()
    assert BANNER not in admin.get("/").get_data(as_text=True)


def test_make_run_seeds_only_the_embedded_database():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text()
    run = makefile.split("\nrun:")[1].split("\n\n")[0]
    assert 'if [ -z "$$DATABASE_URL" ]; then $(FLASK) seed-demo;' in run

"""Flask commands: `flask seed-demo`, `flask create-admin`."""
from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask

from danvan.extensions import db


def register(app: Flask) -> None:
    register_deploy_check(app)
    from danvan import ops

    ops.register(app)

    @app.cli.command("seed-demo")
    @click.option("--shape", type=click.Choice(["2023", "2025"]), default="2023",
                  help="2023: tỉnh – huyện – xã (Bắc Kạn); 2025: tỉnh – xã, không cấp huyện.")
    @click.option("--force", is_flag=True,
                  help="Nạp cả vào cơ sở dữ liệu đã có tài khoản thật (tài khoản mẫu dùng mật khẩu công khai).")
    def seed_demo(shape: str, force: bool) -> None:
        """Load the demo province (idempotent: a second run changes nothing)."""
        from danvan import feature_modules

        _refuse_real_database(force)

        for module in feature_modules("demo"):
            click.echo(f"  {module.seed(shape)}")
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # Fresh planner statistics after the bulk load: without them PostgreSQL picked a plan
            # for the Đề án roll-up that took 1 s instead of 6 ms on the demo data.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")
        if shape == "2023":
            from danvan.auth.demo import DEMO_PASSWORD, logins

            click.echo(f"\nTài khoản mẫu (mật khẩu chung: {DEMO_PASSWORD}):")
            for username, roles, unit in logins():
                click.echo(f"  {username:<18} {roles:<10} {unit}")

    @app.cli.command("create-admin")
    @click.option("--username", required=True)
    @click.option("--unit-id", type=int, required=True)
    @click.option("--full-name", default="Quản trị hệ thống")
    @click.password_option()
    def create_admin(username: str, unit_id: int, full_name: str, password: str) -> None:
        """Create an administrator account in a unit."""
        from danvan.auth.models import User
        from danvan.auth.service import check_new_password
        from danvan.core.units import Unit

        unit = db.session.get(Unit, unit_id)
        if unit is None:
            raise click.BadParameter("không có đơn vị này", param_hint="--unit-id")
        if db.session.scalar(sa.select(User.id).where(User.username == username.lower())):
            raise click.BadParameter("tên đăng nhập đã có", param_hint="--username")
        check_new_password(password, password, username)
        user = User(username=username.lower(), full_name=full_name, unit=unit, active=True)
        user.set_password(password)
        user.set_roles(["admin"])
        user.refresh_search_key()
        db.session.add(user)
        db.session.commit()
        click.echo(f"Đã tạo quản trị viên {user.username}.")


# Demo safety (issue 12) -------------------------------------------------------------------

def _refuse_real_database(force: bool) -> None:
    """Demo accounts carry a published password: never add them beside real accounts unasked."""
    from danvan.auth import deploy

    foreign = deploy.foreign_accounts()
    if foreign and not force:
        raise click.ClickException(
            f"Cơ sở dữ liệu này đã có {foreign} tài khoản không do dữ liệu mẫu tạo ra: không nạp dữ liệu "
            "mẫu (tài khoản mẫu dùng mật khẩu công khai). Dùng --force nếu thật sự muốn.")


def register_deploy_check(app: Flask) -> None:
    @app.cli.command("check-deploy")
    def check_deploy() -> None:
        """List what is unsafe before opening to users; exit status 1 if anything is."""
        from danvan.auth import deploy

        found = deploy.problems(app)
        for line in found:
            click.echo(f"  ✗ {line}")
        if found:
            raise click.ClickException(f"{len(found)} điểm chưa an toàn, chưa nên mở cho người dùng.")
        click.echo("Không thấy điểm chưa an toàn nào.")

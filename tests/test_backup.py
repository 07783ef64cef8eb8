"""`flask backup` then `flask restore` into an empty database: every table (audit log included)
and every stored file come back identical, across storage backends."""
from __future__ import annotations

import io

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from danvan import create_app
from danvan.core import audit, files, jobs
from danvan.extensions import db
from tests.conftest import TMP, app_config, make_database, upgrade_schema


def _tables(app) -> dict[str, list[tuple]]:
    with app.app_context():
        out = {}
        for table in db.metadata.sorted_tables:
            rows = db.session.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            out[table.name] = [tuple(r) for r in rows]
        db.session.rollback()
        return out


def test_backup_restore_round_trip(app):
    source = create_app(app_config(make_database("backup_src"), UPLOAD_DIR=str(TMP / "backup-src")))
    target = create_app(app_config(make_database("backup_dst"), FILE_STORAGE="database",
                                   UPLOAD_DIR=str(TMP / "backup-dst")))
    for a in (source, target):
        upgrade_schema(a)
    try:
        with source.app_context():
            from danvan.auth import demo as auth_demo
            from danvan.auth.models import User
            from danvan.plans import demo as plans_demo
            from danvan.programme import demo as programme_demo
            from danvan.units import demo as units_demo

            for module in (units_demo, auth_demo, plans_demo, programme_demo):  # dates, decimals, files
                module.seed("2023")

            admin = db.session.scalar(sa.select(User).where(User.username == "admin"))
            upload = FileStorage(io.BytesIO("%PDF-1.4\nbiên bản\n".encode()), filename="Biên bản.pdf")
            attachment = files.store(upload, owner_type="Test", owner_id=1, unit_id=admin.unit_id, actor=admin)
            audit.record(admin, "backup_test", attachment, {"ghi_chu": (None, "trước sao lưu")})
            db.session.commit()
        path = TMP / "danvan-backup.tar.gz"
        result = source.test_cli_runner().invoke(args=["backup", str(path)])
        assert result.exit_code == 0, result.output
        result = target.test_cli_runner().invoke(args=["restore", str(path)])
        assert result.exit_code == 0, result.output

        before, after = _tables(source), _tables(target)
        assert before.keys() == after.keys()
        del before["file_chunk"], after["file_chunk"]  # bytes differ in place by design: compared below
        for name in before:
            assert before[name] == after[name], f"table {name} differs after restore"
        assert before["audit_event"] and before["attachment"] and before["user_account"]
        with source.app_context():
            originals = {name: files.read(name, digest) for name, digest in files.referenced()}
        with target.app_context():
            restored = {name: files.read(name, digest) for name, digest in files.referenced()}
        assert originals == restored and len(originals) >= 2

        again = target.test_cli_runner().invoke(args=["restore", str(path)])
        assert again.exit_code != 0 and "không rỗng" in again.output   # never over live data
    finally:
        jobs.init_app(app)

"""0013: the Dân vận khéo configuration deadline becomes the province's registration call (data kept:
the lists already sent answer it, on time or late), then the table goes; downgrade brings it back."""
from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from danvan import create_app
from danvan.extensions import db
from tests.conftest import app_config, make_database


def test_configured_deadline_becomes_the_provinces_call():
    app = create_app(app_config(make_database("migration0013")))
    with app.app_context():
        upgrade(revision="0014_account_moves")
        now = datetime(2023, 1, 1, tzinfo=UTC)
        with db.engine.begin() as conn:
            def unit(uid, name, kind, parent, code=""):
                path = f"/{uid}/" if parent is None else f"/{parent}/{uid}/"
                conn.execute(sa.text(
                    "INSERT INTO unit (id, name, name_key, kind, code, parent_id, path, depth, valid_from, created_at, "
                    "updated_at, version) VALUES (:i, :n, :n, :k, :c, :p, :path, :d, '2020-01-01', :t, :t, 1)"),
                    {"i": uid, "n": name, "k": kind, "c": code, "p": parent, "path": path, "d": path.count("/") - 2,
                     "t": now})
            unit(1, "Tỉnh ủy", "tinh_uy", None, "TU")
            unit(2, "Ban Dân vận Tỉnh ủy", "ban", 1, "BDVTU")
            unit(3, "Huyện ủy A", "huyen_uy", 1, "HU")
            unit(4, "Huyện ủy B", "huyen_uy", 1, "HU")
            conn.execute(sa.text("INSERT INTO initiative_year (province_id, year, deadline) VALUES "
                                 "(1, 2022, '2022-03-31'), (1, 2023, '2023-03-31')"))
            conn.execute(sa.text(
                "INSERT INTO initiative_report (id, unit_id, year, sent_at, total, new_count, maintained_count, "
                "recognised_count, note, created_at, updated_at) VALUES "
                "(7, 3, 2022, :late, 5, 5, 0, 0, '', :t, :t), (8, 4, 2022, :early, 2, 2, 0, 0, '', :t, :t)"),
                {"late": datetime(2022, 4, 2, 3, tzinfo=UTC), "early": datetime(2022, 3, 20, 3, tzinfo=UTC),
                 "t": now})
            # 2023 already has the province's call: its deadline wins, nothing is added.
            conn.execute(sa.text(
                "INSERT INTO plan_call (id, unit_id, title, search_key, kind, year, type_code, description, "
                "deadline, version, created_at, updated_at) VALUES (50, 2, 'Đăng ký 2023', 'dang ky 2023', "
                "'initiative_registration', 2023, '', '', '2023-04-15', 1, :t, :t)"), {"t": now})
        upgrade(revision="heads")
        assert "initiative_year" not in sa.inspect(db.engine).get_table_names()
        from danvan import calls
        from danvan.initiatives import statistics
        from danvan.initiatives.models import InitiativeReport  # noqa: F401 (mapper for the statistics)

        found = db.session.scalars(sa.select(calls.Call).order_by(calls.Call.year)).all()
        assert [(c.unit_id, c.year, c.deadline, c.kind) for c in found] == [
            (2, 2022, date(2022, 3, 31), "initiative_registration"),
            (2, 2023, date(2023, 4, 15), "initiative_registration")]
        rows = {r.unit.id: r for r in calls.tracking(found[0]).rows}
        assert (rows[3].status, rows[4].status) == ("late", "on_time")
        assert statistics.call_issued_by(found[0].unit.parent, 2022).id == found[0].id
        db.session.remove()
        downgrade(revision="0014_account_moves")
        with db.engine.connect() as conn:
            back = conn.execute(sa.text("SELECT province_id, year, deadline FROM initiative_year ORDER BY year")).all()
        assert [(p, y, str(d)) for p, y, d in back] == [(1, 2022, "2022-03-31"), (1, 2023, "2023-04-15")]
        db.engine.dispose()

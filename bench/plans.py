"""Plans: the tracking page of a call sent to all 108 communes, the calls list and the dashboard
("Việc của tôi"), as ratios to /ping; query counts compared between a call to 11 units and 108."""
from __future__ import annotations

from datetime import timedelta


def _seed(ctx) -> tuple[int, int]:
    import sqlalchemy as sa

    from danvan import calls
    from danvan.auth.models import User, UserRole
    from danvan.core.units import REPORTING_KINDS, Unit
    from danvan.core.vntext import today_local
    from danvan.extensions import db
    from danvan.plans import documents

    with ctx.app.app_context():
        bdv = db.session.scalar(sa.select(Unit).where(Unit.name == "Ban Dân vận Tỉnh ủy"))
        root = bdv.parent
        issuer = db.session.scalar(sa.select(User).where(User.username == "canbo.bdv"))
        communes = list(db.session.scalars(sa.select(Unit).where(Unit.kind == "xa", Unit.path.startswith(root.path))
                                           .order_by(Unit.path)))
        reporting = list(db.session.scalars(sa.select(Unit).where(Unit.parent_id == root.id,
                                                                  Unit.kind.in_(REPORTING_KINDS))))
        deadline = today_local() + timedelta(days=2)
        big = calls.create_call(bdv, {"title": f"Báo cáo sơ kết gửi {len(communes)} xã", "type_code": "BC",
                                      "deadline": deadline}, communes, actor=issuer)
        small = calls.create_call(bdv, {"title": "Kế hoạch gửi 11 đơn vị", "type_code": "KH", "deadline": deadline},
                                  reporting, actor=issuer)
        officers = {u.unit_id: u for u in db.session.scalars(
            sa.select(User).join(UserRole).where(UserRole.role == "officer",
                                                 User.unit_id.in_([c.id for c in communes])))}
        for i, unit in enumerate(communes):
            if i % 3 == 0 or unit.id not in officers:
                continue
            doc = documents.create_document(unit, {
                "type_code": "BC", "summary": f"Báo cáo sơ kết {unit.name}", "year": 2026, "signer_name": "A",
                "sections": [{"heading": "I. KẾT QUẢ", "body": "Đạt yêu cầu."}], "call": big},
                actor=officers[unit.id])
            documents.transition(doc, "submit", actor=officers[unit.id])
        db.session.commit()
        return big.id, small.id


def run(ctx) -> None:
    big, small = _seed(ctx)
    ctx.page("Theo dõi yêu cầu gửi 108 xã /yeu-cau/<id>", f"/yeu-cau/{big}", "canbo.bdv", goal=True)
    ctx.page("Danh sách yêu cầu nộp /yeu-cau/", "/yeu-cau/", "canbo.bdv")
    ctx.page("Việc của tôi (cán bộ xã) /", "/", "canbo.nammau")
    ctx.page("Việc của tôi (lãnh đạo tỉnh) /", "/", "lanhdao.bdv", goal=True)
    ctx.page("Danh sách văn bản /van-ban/", "/van-ban/", "lanhdao.bdv")
    q_small = ctx.queries(f"/yeu-cau/{small}", "canbo.bdv")
    q_big = ctx.queries(f"/yeu-cau/{big}", "canbo.bdv")
    ctx.report("Truy vấn SQL: theo dõi 11 đơn vị / 108 xã", f"{q_small} / {q_big}",
               "(bằng nhau)" if q_small == q_big else "(KHÁC NHAU)")

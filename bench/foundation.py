"""Foundation pages: the unit tree and the user list, as ratios to /ping, with query counts."""
from __future__ import annotations


def run(ctx) -> None:
    ctx.page("Cây đơn vị /don-vi/", "/don-vi/")
    ctx.page("Mở một huyện (htmx) /don-vi/<id>/con", _district_children(ctx))
    ctx.page("Danh sách người dùng /quan-tri/nguoi-dung", "/quan-tri/nguoi-dung")
    ctx.page("Tìm người dùng không dấu ?q=nguyen van", "/quan-tri/nguoi-dung?q=nguyen+van")
    ctx.page("Nhật ký thao tác /quan-tri/nhat-ky/", "/quan-tri/nhat-ky/")


def _district_children(ctx) -> str:
    import sqlalchemy as sa

    from danvan.core.units import Unit
    from danvan.extensions import db

    with ctx.app.app_context():
        unit_id = db.session.scalar(sa.select(Unit.id).where(Unit.name == "Huyện ủy Chợ Đồn"))
    return f"/don-vi/{unit_id}/con"

"""Đề án tracker: heatmap and programme pages for the demo province (108 communes) and for a national-scale
tree generated here (34 provinces, 3,321 communes), against the goal of issue 14 (× /ping, p95, SQL
queries per page — which must not grow with the number of communes — and the search fragment's bytes).
Also a past reference date (history), the blocs list and ratings pages for 108 blocs."""
from __future__ import annotations

import random
import time

NATIONAL_PROVINCES = 34
NATIONAL_COMMUNES = 3321
NATIONAL_PERIODS = [("nam", 2024, 1), ("6thang", 2025, 1), ("nam", 2025, 1)]


def _seed_province(ctx) -> int:
    import sqlalchemy as sa

    from danvan.blocs import demo as blocs_demo
    from danvan.conferences import demo as conferences_demo
    from danvan.extensions import db
    from danvan.programme import demo as programme_demo
    from danvan.programme.models import Programme

    with ctx.app.app_context():
        programme_demo.seed("2023")
        blocs_demo.seed("2023")
        conferences_demo.seed("2023")   # the dashboard's conference panel has something to show
        db.session.commit()
        return db.session.scalar(sa.select(Programme.id).where(Programme.title == programme_demo.TITLE))


def _seed_national(ctx) -> int:
    """Root → 34 provinces → 3,321 communes, the same Đề án and reports for 3 periods; a leader at the root."""
    import sqlalchemy as sa

    from danvan.auth.models import User
    from danvan.core.units import Unit, add_unit
    from danvan.extensions import db
    from danvan.programme import demo as programme_demo
    from danvan.programme.models import Programme

    with ctx.app.app_context():
        root = add_unit("Cả nước (dữ liệu thử tải)", "tinh_uy", parent=None, code="TW")
        ban = add_unit("Ban Dân vận (thử tải)", "ban", parent=root, code="BDVTW")
        per = [NATIONAL_COMMUNES // NATIONAL_PROVINCES + (1 if i < NATIONAL_COMMUNES % NATIONAL_PROVINCES else 0)
               for i in range(NATIONAL_PROVINCES)]
        rows, provinces = [], []
        for i, n in enumerate(per):
            province = add_unit(f"Tỉnh thử tải {i + 1:02d}", "huyen_uy", parent=root, code="TU")
            provinces.append(province.id)
            rows.extend({"name": f"Xã thử tải {i + 1:02d}-{j + 1:03d}",
                         "name_key": f"xa thu tai {i + 1:02d}-{j + 1:03d}",
                         "kind": "xa", "code": "ĐU", "parent_id": province.id, "path": province.path,
                         "depth": province.depth + 1, "version": 1}
                        for j in range(n))
        db.session.execute(sa.insert(Unit.__table__), rows)
        # materialised paths of the bulk-inserted communes: the parent's path (stored above) + own id
        table = Unit.__table__
        db.session.execute(sa.update(table).where(table.c.kind == "xa", table.c.parent_id.in_(provinces))
                           .values(path=table.c.path + sa.cast(table.c.id, sa.String) + "/"))
        probe = db.session.scalar(sa.select(User).where(User.username == "lanhdao.bdv"))
        user = User(username="lanhdao.toanquoc", full_name="Lãnh đạo thử tải", unit=ban, active=True,
                    password_hash=probe.password_hash, session_epoch=1)
        user.set_roles(["leader"])
        user.refresh_search_key()
        db.session.add(user)
        db.session.flush()
        started = time.monotonic()
        summary = programme_demo.build(root, rng=random.Random(3321), periods=NATIONAL_PERIODS, evidence=False)
        db.session.commit()
        db.session.execute(sa.text("ANALYZE"))   # fresh planner statistics after the bulk load
        db.session.commit()
        ctx.report("Sinh dữ liệu cả nước", f"{time.monotonic() - started:.1f}", f"giây — {summary}")
        communes = db.session.scalar(sa.select(sa.func.count()).select_from(Unit).where(
            Unit.kind == "xa", Unit.path.startswith(root.path)))
        assert communes == NATIONAL_COMMUNES, communes
        return db.session.scalar(sa.select(Programme.id).where(Programme.unit_id == root.id))


def run(ctx) -> None:
    province = _seed_province(ctx)
    national = _seed_national(ctx)
    scales = (("108 xã", province, "lanhdao.bdv", "xuat+hoa"),
              ("3.321 xã", national, "lanhdao.toanquoc", "thu+tai+05-017"))
    pages = [
        ("Đề án (tiến độ nhóm, nhiệm vụ)", "/de-an/{id}", None),
        ("Bản đồ nhiệt theo đơn vị trực thuộc", "/de-an/{id}/ban-do-nhiet", None),
        ("Bản đồ nhiệt theo từng xã (chậm nhất trước)", "/de-an/{id}/ban-do-nhiet?level=unit&sort=lag",
         "/de-an/{id}/ban-do-nhiet?level=unit&sort=lag&q={q}"),
    ]
    # every panel full: calls (bench/plans), Dân vận khéo, conferences, Đề án, blocs
    ctx.page("Việc của tôi (lãnh đạo tỉnh), mọi bảng có số liệu", "/", "lanhdao.bdv", goal=True)
    counts = {}
    for label, path, fragment in pages:
        for scale, pid, user, q in scales:
            row = ctx.page(f"{label} — {scale}", path.format(id=pid), user, goal=True,
                           fragment=fragment.format(id=pid, q=q) if fragment else None)
            counts.setdefault(label, []).append(row.queries_cold)
    for label, (small, big) in counts.items():
        ctx.report(f"Truy vấn SQL {label}: 108 / 3.321 xã", f"{small} / {big}",
                   "(bằng nhau)" if small == big else "(KHÁC NHAU)")
    ctx.page("Đề án tính đến 30/06/2025 (lịch sử) — 3.321 xã", f"/de-an/{national}?as_of=2025-06-30",
             "lanhdao.toanquoc")
    ctx.page("Khối dân vận: danh sách 108 khối", "/khoi-dan-van/", "lanhdao.bdv")
    ctx.page("Khối dân vận: xếp loại thành viên 2024", "/khoi-dan-van/danh-gia?year=2024&subject=member",
             "lanhdao.bdv")
    ctx.page("Dự thảo báo cáo sơ kết (108 xã)", f"/de-an/{province}/so-ket", "lanhdao.bdv")

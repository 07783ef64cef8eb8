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

    from bench.harness import national_tree
    from danvan.core.units import Unit
    from danvan.extensions import db
    from danvan.programme import demo as programme_demo
    from danvan.programme.models import Programme

    with ctx.app.app_context():
        root, _, _ = national_tree("lanhdao.toanquoc", provinces=NATIONAL_PROVINCES, communes=NATIONAL_COMMUNES)
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


def _national_call(ctx) -> int:
    """A call from the national ban to as many communes as a call may target (calls.MAX_TARGETS, 2,000 of
    the 3,321), two thirds of them answered (bulk rows)."""
    from datetime import timedelta

    import sqlalchemy as sa

    from danvan import calls
    from danvan.auth.models import User
    from danvan.calls.models import CallSubmission
    from danvan.calls.service import MAX_TARGETS
    from danvan.core import cache
    from danvan.core.units import Unit
    from danvan.core.vntext import now_utc, today_local
    from danvan.extensions import db

    with ctx.app.app_context():
        leader = db.session.scalar(sa.select(User).where(User.username == "lanhdao.toanquoc"))
        root = leader.unit.parent
        communes = list(db.session.scalars(sa.select(Unit).where(Unit.kind == "xa", Unit.path.startswith(root.path))
                                           .order_by(Unit.path).limit(MAX_TARGETS)))
        call = calls.create_call(leader.unit, {"title": f"Báo cáo sơ kết gửi {len(communes)} xã", "type_code": "BC",
                                               "deadline": today_local() + timedelta(days=2)}, communes,
                                 actor=leader, notify=False)
        now = now_utc()
        db.session.execute(sa.insert(CallSubmission), [
            {"call_id": call.id, "unit_id": u.id, "object_type": "PlanDocument", "object_id": i + 1,
             "state": "submitted", "submitted_at": now, "last_submitted_at": now, "updated_at": now}
            for i, u in enumerate(communes) if i % 3])
        cache.bump(["calls"])
        db.session.commit()
        return call.id


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
    ctx.page("Việc của tôi (lãnh đạo toàn quốc) /", "/", "lanhdao.toanquoc", goal=True)
    ctx.page("Theo dõi yêu cầu gửi 2.000 xã (tối đa một yêu cầu) /yeu-cau/<id>", f"/yeu-cau/{_national_call(ctx)}",
             "lanhdao.toanquoc", goal=True)
    ctx.page("Đề án tính đến 30/06/2025 (lịch sử) — 3.321 xã", f"/de-an/{national}?as_of=2025-06-30",
             "lanhdao.toanquoc")
    ctx.page("Khối dân vận: danh sách 108 khối", "/khoi-dan-van/", "lanhdao.bdv", goal=True)
    ctx.page("Khối dân vận: xếp loại thành viên 2024", "/khoi-dan-van/danh-gia?year=2024&subject=member",
             "lanhdao.bdv", goal=True)
    # The sơ kết draft is a background job now: time the drafting itself (what the consumer runs).
    from danvan.auth.models import User
    from danvan.core.units import scope_root
    from danvan.core.vntext import today_local
    from danvan.extensions import db
    from danvan.programme import soket
    from danvan.programme.models import Programme

    with ctx.app.app_context():
        programme = db.session.get(Programme, province)
        root = scope_root(db.session.scalar(db.select(User).where(User.username == "lanhdao.bdv")).unit)
        started = time.perf_counter()
        soket.draft_text(programme, root, today_local())
        elapsed = round(time.perf_counter() - started, 3)
    ctx.report("Dự thảo báo cáo sơ kết (108 xã), trong tiến trình nền", elapsed, "s")

"""Inspections at national scale: 34 provinces, 3,321 communes, 5 years of visits (one per commune and
year, 13 checklist lines and 2 recommendations each, bulk-loaded). The national overview, one year's
overview and the recommendations lists as ratios to /ping with SQL queries per page, and the
overview's queries compared with the demo province (they must not grow with the data)."""
from __future__ import annotations

import random
import time
from datetime import date, timedelta

YEARS = range(2021, 2026)
USER = "lanhdao.kiemtra.toanquoc"


def _seed(ctx) -> None:
    import sqlalchemy as sa

    from bench.harness import national_tree
    from danvan.core.units import Unit
    from danvan.core.vntext import now_utc
    from danvan.extensions import db
    from danvan.inspections import checklists
    from danvan.inspections.models import ChecklistResult, Inspection, InspectionPlan, Recommendation

    rng, now = random.Random(3321), now_utc()
    with ctx.app.app_context():
        started = time.monotonic()
        root, ban, _ = national_tree(USER)
        template = checklists.default_template(ban)
        items = sorted(template.items, key=lambda i: i.position)
        communes = list(db.session.execute(sa.select(Unit.id).where(Unit.kind == "xa",
                                                                    Unit.path.startswith(root.path))).scalars())
        verdicts = ["dat"] * 6 + ["dat_mot_phan"] * 2 + ["chua_dat", "khong_ap_dung"]
        for year in YEARS:
            plan = InspectionPlan(unit=ban, year=year, title=f"Kế hoạch kiểm tra năm {year}", state="issued")
            db.session.add(plan)
            db.session.flush()
            day = date(year, 6, 1)
            db.session.execute(sa.insert(Inspection.__table__), [
                {"plan_id": plan.id, "organiser_id": ban.id, "unit_id": c, "year": year,
                 "scheduled_on": day + timedelta(days=i % 150), "report_due": day, "content": "Kiểm tra QCDC",
                 "guests": "", "state": "concluded" if year < 2025 or i % 3 else "visited", "findings": "",
                 "results": "", "shortcomings": "", "conclusion": "", "signer_title": "", "signer_name": "",
                 "number_text": "", "version": 1, "created_at": now, "updated_at": now}
                for i, c in enumerate(communes)])
            visits = db.session.execute(sa.select(Inspection.id, Inspection.unit_id)
                                        .where(Inspection.plan_id == plan.id)).all()
            db.session.execute(sa.insert(ChecklistResult.__table__), [
                {"inspection_id": v, "unit_id": u, "category": it.category, "position": it.position, "text": it.text,
                 "link": it.link, "verdict": rng.choice(verdicts), "note": "", "version": 1}
                for v, u in visits for it in items])
            db.session.execute(sa.insert(Recommendation.__table__), [
                {"inspection_id": v, "organiser_id": ban.id, "unit_id": u, "position": k, "text": f"Kiến nghị {k}",
                 "deadline": date(year, 12, 31) + timedelta(days=90 * k),
                 "state": "accepted" if year < 2024 or rng.random() < 0.5 else rng.choice(["open", "reported"]),
                 "version": 1, "created_at": now, "updated_at": now}
                for v, u in visits for k in (1, 2)])
        db.session.commit()
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Inspection)
                                  .where(Inspection.organiser_id == ban.id))
        ctx.report("Sinh dữ liệu kiểm tra cả nước", f"{time.monotonic() - started:.1f}",
                   f"giây — {total:,} cuộc kiểm tra, {len(communes):,} xã, 5 năm".replace(",", "."))


def _seed_province(ctx) -> None:
    from danvan.extensions import db
    from danvan.inspections import demo

    with ctx.app.app_context():
        demo.seed("2023")
        db.session.commit()


def run(ctx) -> None:
    _seed_province(ctx)
    _seed(ctx)
    pages = [
        ("Tổng quan kiểm tra (mọi năm)", "/kiem-tra/tong-quan"),
        ("Tổng quan kiểm tra năm 2025", "/kiem-tra/tong-quan?year=2025"),
        ("Danh sách kiến nghị", "/kiem-tra/kien-nghi/"),
        ("Kiến nghị quá hạn", "/kiem-tra/kien-nghi/?status=overdue"),
        ("Danh sách cuộc kiểm tra", "/kiem-tra/"),
    ]
    for label, path in pages:
        ctx.page(f"{label} — cả nước", path, USER, goal=True)
    small = ctx.queries("/kiem-tra/tong-quan", "lanhdao.bdv")
    big = ctx.queries("/kiem-tra/tong-quan", USER)
    ctx.report("Truy vấn SQL tổng quan: tỉnh mẫu / cả nước", f"{small} / {big}",
               "(bằng nhau)" if small == big else "(KHÁC NHAU)")
    ctx.page("Tổng quan kiểm tra — tỉnh mẫu", "/kiem-tra/tong-quan", "lanhdao.bdv", goal=True)

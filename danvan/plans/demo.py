"""Demo documents and calls for the 2023 province: the seeds' "10/11 đơn vị … 2 nộp muộn"."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from danvan import calls
from danvan.auth.models import User, UserRole
from danvan.core.units import REPORTING_KINDS, Unit
from danvan.core.vntext import TZ, today_local
from danvan.extensions import db
from danvan.plans import documents
from danvan.units import demo as units_demo

CALL_PLAN = "Kế hoạch thực hiện Kết luận 03-KL/TU về phong trào “Dân vận khéo” năm 2026"
CALL_REPORT = "Báo cáo kết quả công tác dân vận và thực hiện Quy chế dân chủ ở cơ sở năm 2026"
SECTIONS = [
    {"heading": "I. MỤC ĐÍCH, YÊU CẦU",
     "body": "Quán triệt sâu rộng Kết luận 03-KL/TU đến cán bộ, đảng viên và Nhân dân.\n"
             "- Cụ thể hóa bằng kế hoạch của cấp mình\n- Gắn với nhiệm vụ chính trị của địa phương"},
    {"heading": "II. NỘI DUNG", "body": "Đăng ký mô hình “Dân vận khéo” trên bốn lĩnh vực: kinh tế; văn hóa – xã hội; "
                                       "quốc phòng – an ninh; xây dựng hệ thống chính trị."},
    {"heading": "III. TỔ CHỨC THỰC HIỆN", "body": "Ban Dân vận chủ trì, phối hợp Mặt trận Tổ quốc và các đoàn thể."},
]


def _user(unit: Unit, role: str) -> User | None:
    return db.session.scalar(sa.select(User).join(UserRole).where(User.unit_id == unit.id, UserRole.role == role)
                             .order_by(User.id))


def _filing_unit(target: Unit) -> Unit:
    """A district files through its Ban Dân vận; a đảng ủy trực thuộc files itself."""
    ban = db.session.scalar(sa.select(Unit).where(Unit.parent_id == target.id, Unit.kind == "ban"))
    return ban or target


def _file(call: calls.Call, target: Unit, *, when: datetime, approve: bool) -> None:
    unit = _filing_unit(target)
    officer, leader = _user(unit, "officer"), _user(unit, "leader")
    if officer is None:
        return
    doc = documents.create_document(unit, {
        "type_code": call.type_code, "summary": f"{call.title.split(' về ')[0]} — {target.name}", "year": 2026,
        "sections": SECTIONS, "signer_mode": "T/M", "signer_authority": "BAN THƯỜNG VỤ",
        "signer_title": "PHÓ BÍ THƯ", "signer_name": leader.full_name if leader else officer.full_name,
        "recipients": "Ban Dân vận Tỉnh ủy,\nLưu Văn phòng", "call": call}, actor=officer)
    documents.transition(doc, "submit", actor=officer)
    db.session.execute(sa.update(calls.CallSubmission).where(calls.CallSubmission.object_type == "PlanDocument",
                                                       calls.CallSubmission.object_id == doc.id)
                       .values(submitted_at=when, last_submitted_at=when))
    doc.submitted_at = when
    if approve:
        approver = _user(call.unit, "leader")
        if approver is not None:
            documents.transition(doc, "approve", actor=approver)


def seed(shape: str = "2023") -> str:
    root = units_demo.province(shape)
    if root is None or shape != "2023":
        return "văn bản, yêu cầu nộp: chỉ tạo cho tỉnh mẫu 2023"
    if db.session.scalar(sa.select(calls.Call.id).where(calls.Call.title == CALL_PLAN)):
        return "văn bản, yêu cầu nộp: đã có, bỏ qua"
    bdv = db.session.scalar(sa.select(Unit).where(Unit.name == units_demo.BDV_2023, Unit.parent_id == root.id))
    officer = _user(bdv, "officer")
    targets = list(db.session.scalars(sa.select(Unit).where(Unit.parent_id == root.id, Unit.kind.in_(REPORTING_KINDS),
                                                            Unit.valid_to.is_(None)).order_by(Unit.name)))
    today = today_local()
    # A call whose deadline has passed: 10/11 filed, 2 of them late, most approved.
    plan_call = calls.create_call(bdv, {"title": CALL_PLAN, "type_code": "KH", "deadline": today,
                                        "description": "Các huyện, thành ủy, đảng ủy trực thuộc ban hành kế hoạch "
                                                       "của cấp mình và gửi về Ban Dân vận Tỉnh ủy."},
                                  targets, actor=officer)
    deadline = today - timedelta(days=5)
    plan_call.deadline = deadline
    on_time = datetime.combine(deadline - timedelta(days=2), time(9, 30), tzinfo=TZ).astimezone(UTC)
    late = datetime.combine(deadline + timedelta(days=2), time(15, 0), tzinfo=TZ).astimezone(UTC)
    for i, target in enumerate(targets[:10]):
        _file(plan_call, target, when=late if i in (3, 7) else on_time, approve=i < 7)
    # A call still open: due in 3 days, 4 units filed.
    report_call = calls.create_call(bdv, {"title": CALL_REPORT, "type_code": "BC",
                                          "deadline": today + timedelta(days=3)}, targets, actor=officer)
    for target in targets[:4]:
        _file(report_call, target, when=datetime.now(UTC) - timedelta(hours=5), approve=False)
    # The province ban's own plan, approved and numbered; a commune's plan waiting for the city.
    leader = _user(bdv, "leader")
    own = documents.create_document(bdv, {
        "type_code": "KH", "summary": "Kế hoạch tổ chức Hội nghị sơ kết phong trào “Dân vận khéo” năm 2026",
        "year": 2026, "sections": SECTIONS, "signer_mode": "K/T", "signer_authority": "TRƯỞNG BAN",
        "signer_title": "PHÓ TRƯỞNG BAN", "signer_name": "Phan Thị Na",
        "recipients": "Thường trực Tỉnh ủy (b/c),\nCác huyện ủy, thành ủy, đảng ủy trực thuộc,\nLưu Văn phòng Ban"},
        actor=officer)
    documents.transition(own, "submit", actor=officer)
    if leader is not None:
        documents.transition(own, "approve", actor=leader)
    xuat_hoa = db.session.scalar(sa.select(Unit).where(Unit.name == "Phường Xuất Hóa"))
    if xuat_hoa is not None and _user(xuat_hoa, "officer") is not None:
        filer = _user(xuat_hoa, "officer")
        doc = documents.create_document(xuat_hoa, {
            "type_code": "KH", "summary": "Kế hoạch xây dựng mô hình “Dân vận khéo” năm 2026 của phường Xuất Hóa",
            "year": 2026, "sections": SECTIONS, "signer_mode": "T/M", "signer_authority": "ĐẢNG ỦY",
            "signer_title": "BÍ THƯ", "signer_name": "Lý Văn Minh",
            "recipients": "Ban Dân vận Thành ủy,\nLưu Văn phòng"}, actor=filer)
        documents.transition(doc, "submit", actor=filer)
    db.session.flush()
    t = calls.tracking(plan_call)
    return f"văn bản, yêu cầu nộp: 2 yêu cầu; «{CALL_PLAN[:40]}…»: {t.summary}"

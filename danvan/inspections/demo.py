"""Demo inspections of the 2023 province, built through the services so they obey their rules.

- The seeds' visit: the provincial team at phường Xuất Hóa on 03/12 last year (Quy chế dân chủ and
  "Dân vận khéo"): the ward's report, the checklist, findings, results, shortcomings, the
  Thông báo kết luận (numbered, frozen) and its recommendations — one closed, one overdue, one
  reported and waiting for the team, two still open.
- This year's plan: a few communes to visit in the coming days, issued, each with its call for a
  report.
"""
from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from danvan.auth.models import User, UserRole
from danvan.core.units import Unit
from danvan.core.vntext import TZ, today_local
from danvan.extensions import db
from danvan.units import demo as units_demo

from . import checklists, planning, recommendations, report_call, visits
from .models import Inspection, InspectionPlan

TITLE_PAST = "Kế hoạch kiểm tra thực hiện Quy chế dân chủ ở cơ sở và phong trào “Dân vận khéo” năm {year}"
# A one-page PDF, enough for the content check of uploads.
REPORT_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
              b"endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
              b"trailer<</Root 1 0 R>>\n%%EOF\n")
RESULTS = ("Cấp ủy Đảng, chính quyền, mặt trận, các đoàn thể từ phường đến chi bộ, tổ dân phố đã triển khai thực hiện "
           "Quy chế dân chủ và “Dân vận khéo” đạt kết quả đáng khích lệ. Các văn bản pháp luật được phổ biến tới "
           "người dân; kịp thời giải quyết khó khăn, vướng mắc của Nhân dân.\nViệc thực hiện chế độ, chính sách được "
           "công khai, niêm yết tại trụ sở UBND phường và lồng ghép tại giao ban, sinh hoạt thôn, tổ, kỳ họp HĐND, "
           "đối thoại, tiếp công dân.\nCác tổ chức hội, đoàn thể (MTTQ, Hội Phụ nữ, Đoàn Thanh niên, Hội Nông dân, "
           "Hội Cựu chiến binh…) đăng ký thực hiện 07 mô hình “Dân vận khéo”.")
SHORTCOMINGS = ("Kế hoạch thực hiện còn bám theo văn bản cấp trên, chưa sát thực tế địa phương.\nBáo cáo liệt kê "
                "từng lĩnh vực nhưng thiếu số liệu minh chứng cụ thể.\nHình thức công khai chưa đa dạng.\nBan Thanh "
                "tra nhân dân, Ban Giám sát đầu tư của cộng đồng chưa chủ động; nhân sự Ban Giám sát còn thiếu.")
# (text, deadline: days after the visit (positive) or from today (negative: -1 is today), final state).
# The visit was last year, so "visit + 20 days" has always passed: that one is overdue.
RECOMMENDATIONS = [
    ("Xây dựng kế hoạch thực hiện sát với yêu cầu thực tế của địa phương, ngoài việc bám sát văn bản cấp trên.",
     15, "accepted"),
    ("Bổ sung số liệu minh chứng cụ thể vào báo cáo từng lĩnh vực, làm cơ sở đánh giá sâu kết quả thực hiện.",
     20, "open"),
    ("Đa dạng hình thức công khai, tuyên truyền của cấp ủy, chính quyền (loa truyền thanh, bảng tin tổ dân phố).",
     -21, "reported"),
    ("Các hội, đoàn thể chủ động đánh giá, duy trì các mô hình “Dân vận khéo” đã đăng ký và đề nghị cấp có thẩm "
     "quyền công nhận.", -28, "open"),
    ("Ban Thanh tra nhân dân và Ban Giám sát đầu tư của cộng đồng chủ động kiểm tra, giám sát hoạt động của cấp ủy, "
     "chính quyền; bổ sung, kiện toàn nhân sự Ban Giám sát đầu tư của cộng đồng.", -118, "open"),
]
VERDICTS = {"Hình thức công khai đa dạng": ("dat_mot_phan", "Mới niêm yết tại trụ sở, chưa dùng loa truyền thanh."),
            "Ban Giám sát đầu tư": ("chua_dat", "Chưa giám sát công trình giao thông nông thôn; thiếu nhân sự."),
            "Báo cáo có số liệu minh chứng": ("chua_dat", "Báo cáo liệt kê lĩnh vực, thiếu số liệu minh chứng."),
            "Đăng ký mô hình": ("dat", "07 mô hình do các tổ chức hội, đoàn thể đăng ký.")}
UPCOMING = ["Xã Nam Mẫu", "Thị trấn Chợ Rã", "Xã Bằng Lãng"]


def _user(unit: Unit, role: str) -> User | None:
    return db.session.scalar(sa.select(User).join(UserRole).where(User.unit_id == unit.id, UserRole.role == role)
                             .order_by(User.id))


def _unit(name: str) -> Unit | None:
    return db.session.scalar(sa.select(Unit).where(Unit.name == name, Unit.valid_to.is_(None)))


def _issue(plan: InspectionPlan, officer: User, leader: User) -> None:
    """Through the plans workflow (KH numbered on approval), then issued; past due dates are
    replayed by issuing with today's date and moving the call's deadline back."""
    from danvan.plans import documents

    doc = planning.make_document(plan, actor=officer)
    documents.transition(doc, "submit", actor=officer)
    documents.transition(doc, "approve", actor=leader)
    real = {i.id: i.report_due for i in plan.inspections}
    for insp in plan.inspections:
        insp.report_due = max(insp.report_due, today_local())
    planning.issue_plan(plan, actor=officer)
    for insp in plan.inspections:
        insp.report_due = real[insp.id]
        report_call.get_call(insp).deadline = real[insp.id]


def _local(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=TZ).astimezone(UTC)


def _xuat_hoa(bdv: Unit, officer: User, leader: User, inspector: User) -> Inspection | None:
    ward = _unit("Phường Xuất Hóa")
    filer = _user(ward, "officer") if ward else None
    if ward is None or filer is None:
        return None
    today = today_local()
    visit_day = date(today.year - 1, 12, 3)
    plan = planning.create_plan(bdv, {"title": TITLE_PAST.format(year=visit_day.year), "year": visit_day.year,
                                      "purpose": "Đánh giá kết quả xây dựng, thực hiện Quy chế dân chủ ở cơ sở và "
                                                 "phong trào “Dân vận khéo”; kịp thời chấn chỉnh tồn tại."},
                                actor=officer)
    insp = planning.add_inspection(plan, {
        "unit_id": ward.id, "scheduled_on": visit_day, "report_due": visit_day - timedelta(days=5),
        "content": "Kiểm tra, đánh giá kết quả xây dựng, thực hiện Quy chế dân chủ ở cơ sở và phong trào "
                   "“Dân vận khéo” năm " + str(visit_day.year),
        "member_ids": [inspector.id],
        "guests": "Đồng chí Phạm Duy Hưng, Ủy viên Ban Thường vụ Tỉnh ủy, Phó Chủ tịch UBND tỉnh, "
                  "chủ trì buổi làm việc"},
        actor=officer)
    _issue(plan, officer, leader)
    visits.upload_report(insp, FileStorage(io.BytesIO(REPORT_PDF), filename="Bao-cao-QCDC-DVK-phuong-Xuat-Hoa.pdf"),
                         actor=filer, at=_local(visit_day - timedelta(days=6), 15))
    for row in insp.results_rows:
        verdict, note = next((v for key, v in VERDICTS.items() if key in row.text), ("dat", ""))
        checklists.set_result(row, verdict, note, actor=inspector)
    visits.save_record(insp, {"findings": "Nghe báo cáo của Đảng ủy phường và kiểm tra tài liệu, hồ sơ lưu trữ; "
                                          "cấp ủy, chính quyền, các tổ chức hội, đoàn thể trao đổi, làm rõ nội dung "
                                          "đoàn quan tâm.",
                              "results": RESULTS, "shortcomings": SHORTCOMINGS}, actor=inspector, version=insp.version)
    for text, offset, _ in RECOMMENDATIONS:
        deadline = visit_day + timedelta(days=offset) if offset > 0 else today + timedelta(days=-offset - 1)
        recommendations.add(insp, {"text": text, "unit_id": ward.id, "deadline": deadline}, actor=inspector)
    visits.save_conclusion(insp, {"conclusion": "Đoàn kiểm tra ghi nhận kết quả phường Xuất Hóa đạt được; đề nghị "
                                                "Đảng ủy phường chỉ đạo thực hiện các kiến nghị dưới đây và báo cáo "
                                                "kết quả về Ban Dân vận Tỉnh ủy đúng thời hạn.",
                                  "signer_title": "Trưởng đoàn", "signer_name": "Phạm Duy Hưng"},
                           actor=inspector, version=insp.version)
    visits.issue_conclusion(insp, actor=inspector, on=visit_day + timedelta(days=7))
    for rec, (_, _, state) in zip(insp.recommendations, RECOMMENDATIONS):
        if state in ("accepted", "reported"):
            recommendations.report(rec, "Đảng ủy phường đã ban hành kế hoạch sửa đổi, gửi kèm minh chứng."
                                   if state == "accepted" else "Đã lắp bảng tin tại 12 tổ dân phố; loa truyền thanh "
                                   "phát 2 buổi/tuần.", None, actor=filer)
        if state == "accepted":
            recommendations.review(rec, "accept", "", actor=inspector)
    return insp


def _upcoming(bdv: Unit, officer: User, leader: User, inspector: User) -> InspectionPlan | None:
    base = today_local() + timedelta(days=7)
    plan = planning.create_plan(bdv, {"title": TITLE_PAST.format(year=base.year), "year": base.year,
                                      "purpose": "Nắm tình hình thực hiện Luật Thực hiện dân chủ ở cơ sở tại một số "
                                                 "xã, thị trấn; hướng dẫn khắc phục tồn tại."}, actor=officer)
    for i, name in enumerate(UPCOMING):
        unit = _unit(name)
        day = base + timedelta(days=3 * i)
        if unit is None:
            continue
        planning.add_inspection(plan, {"unit_id": unit.id, "scheduled_on": day if day.year == base.year else base,
                                       "content": "Kiểm tra việc công khai, Nhân dân bàn và quyết định, tham gia ý "
                                                  "kiến, kiểm tra giám sát; mô hình “Dân vận khéo”.",
                                       "member_ids": [inspector.id]}, actor=officer)
    if plan.inspections:
        _issue(plan, officer, leader)
    return plan


def seed(shape: str = "2023") -> str:
    root = units_demo.province(shape)
    if root is None or shape != "2023":
        return "kiểm tra: chỉ tạo cho tỉnh mẫu 2023"
    if db.session.scalar(sa.select(InspectionPlan.id).limit(1)) is not None:
        return "kiểm tra: đã có, bỏ qua"
    bdv = db.session.scalar(sa.select(Unit).where(Unit.name == units_demo.BDV_2023, Unit.parent_id == root.id))
    officer, leader, inspector = (_user(bdv, r) for r in ("officer", "leader", "inspector")) if bdv else (None,) * 3
    if officer is None or leader is None or inspector is None:
        return "kiểm tra: thiếu tài khoản mẫu của Ban Dân vận, bỏ qua"
    insp = _xuat_hoa(bdv, officer, leader, inspector)
    plan = _upcoming(bdv, officer, leader, inspector)
    db.session.flush()
    return (f"kiểm tra: {'phường Xuất Hóa (Thông báo ' + insp.number_text + ')' if insp else 'không có Xuất Hóa'}, "
            f"kế hoạch năm {plan.year} với {len(plan.inspections)} cuộc kiểm tra")

"""Inspections through HTTP: plan → issue → the unit's report answers a call → checklist → record →
recommendations → conclusion numbered and frozen → the unit's follow-up → accept / reopen → the
next visit opens with what is still open. Scope: other units' ids are 404."""
from __future__ import annotations

import hashlib
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from danvan.core.vntext import fmt_date, today_local
from danvan.extensions import db
from danvan.inspections import recommendations as recs_service
from danvan.inspections import visits
from danvan.inspections.models import Inspection, InspectionPlan, Recommendation
from danvan.notifications.models import Notification
from danvan.plans import documents

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def team(world, login_as):
    """The province ban's officer and leader, two inspectors, and the commune's officer."""
    t = type("Team", (), {})()
    t.officer = login_as("officer", world.bdv, full_name="Nguyễn Văn An")
    t.leader = login_as("leader", world.bdv, full_name="Hoàng Thu Trang")
    t.inspector = login_as("inspector", world.bdv, full_name="Triệu Thị Hoa")
    t.outsider = login_as("inspector", world.bdv, full_name="Lương Văn Bình")
    t.commune = login_as("officer", world.c1, full_name="Bàn Thị Ngọc")
    t.other = login_as("officer", world.c3)
    return t


def _location_id(response, pattern: str) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return int(re.search(pattern, response.headers["Location"]).group(1))


def make_plan(t, world, *, day: date | None = None, due: date | None = None) -> int:
    day = day or today_local()
    r = t.officer.post_form("/kiem-tra/ke-hoach/moi", {"title": f"Kế hoạch kiểm tra năm {day.year}",
                                                        "year": day.year, "purpose": "Đánh giá thực hiện QCDC"})
    plan_id = _location_id(r, r"/ke-hoach/(\d+)")
    r = t.officer.post_form(f"/kiem-tra/ke-hoach/{plan_id}/cuoc-kiem-tra", {
        "unit_id": world.c1.id, "scheduled_on": fmt_date(day), "report_due": fmt_date(due or day),
        "content": "Kiểm tra thực hiện Quy chế dân chủ ở cơ sở và phong trào “Dân vận khéo”",
        "member_ids": [t.inspector.user.id], "guests": "Đại diện Ủy ban MTTQ tỉnh"})
    assert r.status_code == 303, r.get_data(as_text=True)[:3000]
    return plan_id


def issue(t, plan_id: int) -> Inspection:
    r = t.officer.post_form(f"/kiem-tra/ke-hoach/{plan_id}/van-ban")
    doc_id = _location_id(r, r"/van-ban/(\d+)")
    doc = db.session.get(documents.PlanDocument, doc_id)
    documents.transition(doc, "submit", actor=t.officer.user)
    documents.transition(doc, "approve", actor=t.leader.user)
    r = t.officer.post_form(f"/kiem-tra/ke-hoach/{plan_id}/ban-hanh")
    assert r.status_code == 303, r.get_data(as_text=True)[:3000]
    return db.session.scalar(sa.select(Inspection).where(Inspection.plan_id == plan_id))


def judge_all(client, insp: Inspection, verdict: str = "dat") -> None:
    for row in insp.results_rows:
        v = "chua_dat" if "Ban Giám sát" in row.text else verdict
        r = client.post_form(f"/kiem-tra/tieu-chi/{row.id}", {
            f"r{row.id}-verdict": v, f"r{row.id}-note": "Chưa kiện toàn nhân sự" if v != "dat" else "",
            f"r{row.id}-version": row.version}, htmx=True)
        assert r.status_code == 200, r.get_data(as_text=True)[:2000]


def conclude(t, insp: Inspection) -> None:
    r = t.inspector.post_form(f"/kiem-tra/{insp.id}/bien-ban", {
        "findings": "Nghe báo cáo, kiểm tra hồ sơ lưu trữ", "results": "Công khai tại trụ sở UBND phường",
        "shortcomings": "Báo cáo thiếu số liệu minh chứng", "version": insp.version})
    assert r.status_code == 303, r.get_data(as_text=True)[:3000]
    judge_all(t.inspector, insp)
    deadline = fmt_date(today_local() + timedelta(days=30))
    for text in ("Bổ sung số liệu minh chứng cụ thể vào báo cáo",
                 "Kiện toàn Ban Giám sát đầu tư của cộng đồng"):
        r = t.inspector.post_form(f"/kiem-tra/{insp.id}/kien-nghi", {"text": text, "unit_id": insp.unit_id,
                                                                     "deadline": deadline})
        assert r.status_code == 303, r.get_data(as_text=True)[:3000]
    db.session.refresh(insp)
    r = t.inspector.post_form(f"/kiem-tra/{insp.id}/ket-luan", {
        "conclusion": "Đề nghị phường Xuất Hóa thực hiện các kiến nghị", "signer_title": "Trưởng đoàn",
        "signer_name": "Phạm Duy Hưng", "version": insp.version, "action": "issue"})
    assert r.status_code == 303, r.get_data(as_text=True)[:3000]


def test_whole_flow(world, team):
    t = team
    plan_id = make_plan(t, world)
    # Not issued yet: the commune does not see its visit.
    insp = db.session.scalar(sa.select(Inspection).where(Inspection.plan_id == plan_id))
    assert t.commune.get(f"/kiem-tra/{insp.id}").status_code == 404
    insp = issue(t, plan_id)
    assert db.session.get(InspectionPlan, plan_id).state == "issued"
    # The commune was notified and sees the visit; the report answers a call (missing until sent).
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == t.commune.user.id, Notification.kind == "inspection_planned")) == 1
    page = t.commune.get(f"/kiem-tra/{insp.id}").get_data(as_text=True)
    assert "Chưa nộp" in page and "Gửi báo cáo" in page
    r = t.commune.post_form(f"/kiem-tra/{insp.id}/bao-cao", {"file": (io.BytesIO(PDF), "bao-cao-xuat-hoa.pdf")})
    assert r.status_code == 303
    page = t.inspector.get(f"/kiem-tra/{insp.id}").get_data(as_text=True)
    assert "bao-cao-xuat-hoa.pdf" in page and "Đã nộp đúng hạn" in page
    # The call's tracking page in plans counts it like any call.
    tracking = t.officer.get(f"/yeu-cau/{insp.call_id}").get_data(as_text=True)
    assert "1/1 đơn vị đã nộp, 0 nộp muộn" in tracking

    conclude(t, insp)
    db.session.refresh(insp)
    assert insp.state == "concluded" and insp.number_text == "1-TB/BDVTU"
    pdf = t.commune.get(f"/kiem-tra/{insp.id}/thong-bao-ket-luan.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    stored = visits.conclusion_record(insp).pdf
    assert hashlib.sha256(pdf.data).hexdigest() == stored.sha256 and pdf.headers["X-Document-State"] == "issued"
    assert t.commune.get(f"/kiem-tra/{insp.id}/thong-bao-ket-luan.pdf").data == pdf.data   # served unchanged
    docx = t.commune.get(f"/kiem-tra/{insp.id}/thong-bao-ket-luan.docx")
    assert docx.status_code == 200 and docx.data[:2] == b"PK"
    # Issued: nothing of the visit can change any more.
    r = t.inspector.post_form(f"/kiem-tra/{insp.id}/bien-ban", {"findings": "sửa", "version": insp.version})
    assert r.status_code == 403

    first, second = insp.recommendations
    # The unit reports with evidence; the team reopens (a reason is required), then accepts.
    r = t.commune.post_form(f"/kiem-tra/kien-nghi/{first.id}/bao-cao", {
        "comment": "Đã bổ sung số liệu: 07 mô hình", "file": (io.BytesIO(PDF), "so-lieu.pdf")})
    assert r.status_code == 303
    r = t.inspector.post_form(f"/kiem-tra/kien-nghi/{first.id}/danh-gia", {"decision": "reopen", "comment": ""})
    assert r.status_code == 422 and "Cần ghi rõ lý do" in r.get_data(as_text=True)
    r = t.inspector.post_form(f"/kiem-tra/kien-nghi/{first.id}/danh-gia",
                              {"decision": "reopen", "comment": "Thiếu số liệu của tổ dân phố"})
    assert r.status_code == 303
    assert db.session.get(Recommendation, first.id).state == "reopened"
    t.commune.post_form(f"/kiem-tra/kien-nghi/{first.id}/bao-cao", {"comment": "Đã bổ sung đủ"})
    r = t.inspector.post_form(f"/kiem-tra/kien-nghi/{first.id}/danh-gia", {"decision": "accept", "comment": ""})
    assert r.status_code == 303
    assert db.session.get(Recommendation, first.id).state == "accepted"
    timeline = t.commune.get(f"/kiem-tra/kien-nghi/{first.id}").get_data(as_text=True)
    assert "Thiếu số liệu của tổ dân phố" in timeline and "so-lieu.pdf" in timeline

    # The next visit of the same unit opens with the recommendation still open, not the closed one.
    next_plan = make_plan(t, world, day=today_local() + timedelta(days=40))
    nxt = db.session.scalar(sa.select(Inspection).where(Inspection.plan_id == next_plan))
    page = t.inspector.get(f"/kiem-tra/{nxt.id}").get_data(as_text=True)
    carried = page.split('id="carried-over"')[1].split("</section>")[0]
    assert second.text in carried and first.text not in carried


def test_scope_team_and_unit(world, team):
    t = team
    insp = issue(t, make_plan(t, world))
    assert t.inspector.get(f"/kiem-tra/{insp.id}").status_code == 200
    assert t.outsider.get(f"/kiem-tra/{insp.id}").status_code == 404     # an inspector of no team of it
    assert t.other.get(f"/kiem-tra/{insp.id}").status_code == 404        # another district's commune
    row = insp.results_rows[0]
    r = t.other.post_form(f"/kiem-tra/tieu-chi/{row.id}", {f"r{row.id}-verdict": "dat"})
    assert r.status_code == 404
    r = t.outsider.post_form(f"/kiem-tra/tieu-chi/{row.id}", {f"r{row.id}-verdict": "dat"})
    assert r.status_code == 404
    # The inspected unit may not judge its own checklist, nor upload another unit's report.
    assert t.commune.post_form(f"/kiem-tra/tieu-chi/{row.id}", {f"r{row.id}-verdict": "dat"}).status_code == 403
    assert t.other.get("/kiem-tra/").get_data(as_text=True).count("Phường Xuất Hóa") == 0
    assert "Phường Xuất Hóa" in t.commune.get("/kiem-tra/").get_data(as_text=True)


def test_overdue_is_judged_on_the_whole_day_in_vietnam(app, world, team):
    t = team
    rec = Recommendation(text="Kiện toàn Ban Thanh tra nhân dân", deadline=date(2026, 3, 10), state="open")
    # 16:59 UTC on 10/03 is 23:59 in Hà Nội: still within the day; 17:00 UTC is already 11/03.
    assert not recs_service.is_overdue(rec, recs_service.local_day(datetime(2026, 3, 10, 16, 59, tzinfo=UTC)))
    assert recs_service.is_overdue(rec, recs_service.local_day(datetime(2026, 3, 10, 17, 0, tzinfo=UTC)))
    rec.state = "accepted"
    assert not recs_service.is_overdue(rec, date(2026, 4, 1))
    # Through HTTP: deadline today is not overdue, yesterday is; both dashboards say so.
    insp = issue(t, make_plan(t, world))
    for text, deadline in (("Hạn hôm nay", today_local()), ("Hạn hôm qua", today_local() - timedelta(days=1))):
        db.session.add(Recommendation(inspection=insp, organiser_id=insp.organiser_id, unit=insp.unit, text=text,
                                      deadline=deadline))
    db.session.flush()
    overdue = t.officer.get("/kiem-tra/kien-nghi/?status=overdue").get_data(as_text=True)
    assert "Hạn hôm qua" in overdue and "Hạn hôm nay" not in overdue
    unit_dash = t.commune.get("/").get_data(as_text=True)
    assert re.search(r'id="count-overdue-mine">1 quá hạn', unit_dash)
    listed = {re.sub(r"<[^>]+>", "", li).split(" — ")[0]: "quá hạn" in li
              for li in re.findall(r"<li><a href=\"/kiem-tra/kien-nghi/\d+\">.*?</li>", unit_dash)}
    assert listed == {"Hạn hôm nay": False, "Hạn hôm qua": True}   # the panel's list flags the late one only
    team_dash = t.inspector.get("/").get_data(as_text=True)
    assert re.search(r'id="count-overdue">1<', team_dash)
    # Reminders: a daily periodic job (07:00 in Hà Nội = 00:00 UTC), once per recommendation and
    # deadline, to the unit and the team.
    from danvan.core import jobs
    from danvan.inspections import jobs as inspection_jobs

    due = {task.name for task in jobs.huey.read_periodic(datetime(2026, 12, 5, 0, 0))}
    assert "danvan.inspections.send_reminders" in due
    jobs.init_app(app)
    assert inspection_jobs.send_reminders.call_local() == "1 kiến nghị quá hạn được nhắc"
    assert inspection_jobs.send_reminders.call_local() == "0 kiến nghị quá hạn được nhắc"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.kind == "recommendation_overdue", Notification.user_id == t.commune.user.id)) == 1


def _issue_button(client, plan_id: int) -> str:
    page = client.get(f"/kiem-tra/ke-hoach/{plan_id}").get_data(as_text=True)
    return re.search(r"<button[^>]*>Ban hành kế hoạch</button>", page).group(0)


def test_issue_needs_an_approved_plan_document(world, team):
    t = team
    plan_id = make_plan(t, world)
    r = t.officer.post_form(f"/kiem-tra/ke-hoach/{plan_id}/ban-hanh")
    assert r.status_code == 409 and "phải được duyệt và cấp số" in r.get_data(as_text=True)
    # The page says the same, on its disabled button, until the document is approved.
    button = _issue_button(t.officer, plan_id)
    assert " disabled " in button and 'title="Văn bản kế hoạch phải được duyệt và cấp số trước khi ban hành."' in button
    r = t.officer.post_form(f"/kiem-tra/ke-hoach/{plan_id}/van-ban")
    doc = db.session.get(documents.PlanDocument, _location_id(r, r"/van-ban/(\d+)"))
    documents.transition(doc, "submit", actor=t.officer.user)
    assert " disabled " in _issue_button(t.officer, plan_id)          # submitted is not approved
    documents.transition(doc, "approve", actor=t.leader.user)
    assert " disabled " not in _issue_button(t.officer, plan_id) and "title=" not in _issue_button(t.officer, plan_id)


def test_conclusion_needs_record_and_every_item_judged(world, team):
    t = team
    insp = issue(t, make_plan(t, world))
    r = t.inspector.post_form(f"/kiem-tra/{insp.id}/ket-luan", {
        "conclusion": "Kết luận", "signer_name": "Phạm Duy Hưng", "version": insp.version, "action": "issue"})
    assert r.status_code == 403   # not held yet: no one may issue
    t.inspector.post_form(f"/kiem-tra/{insp.id}/bien-ban", {"findings": "Nghe báo cáo", "version": insp.version})
    db.session.refresh(insp)
    r = t.inspector.post_form(f"/kiem-tra/{insp.id}/ket-luan", {
        "conclusion": "Kết luận", "signer_name": "Phạm Duy Hưng", "version": insp.version, "action": "issue"})
    assert r.status_code == 409 and "Còn tiêu chí chưa đánh giá" in r.get_data(as_text=True)
    assert db.session.get(Inspection, insp.id).number is None
    # The draft prints "DỰ THẢO" for the team; the inspected unit does not see drafts.
    assert t.inspector.get(f"/kiem-tra/{insp.id}/thong-bao-ket-luan.pdf").status_code == 200
    assert t.commune.get(f"/kiem-tra/{insp.id}/thong-bao-ket-luan.pdf").status_code == 404


def test_overview_and_excel(world, team):
    from openpyxl import load_workbook

    t = team
    insp = issue(t, make_plan(t, world))
    conclude(t, insp)
    page = t.officer.get("/kiem-tra/tong-quan").get_data(as_text=True)
    assert "Huyện ủy Ba Bể" in page and "Kiện toàn nhân sự" not in page
    assert "Ban Giám sát đầu tư của cộng đồng giám sát các công trình trên địa bàn" in page
    r = t.officer.get("/kiem-tra/tong-quan.xlsx")
    ws = load_workbook(io.BytesIO(r.data)).active
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    ba_be = next(row for row in rows if row[0] == "Huyện ủy Ba Bể")
    assert ba_be[1:6] == [0, 0, 1, 2, 0]
    assert ba_be[9] == 50.0   # kiểm tra, giám sát: 1 of 2 judged items "chưa đạt"
    assert t.inspector.get("/kiem-tra/tong-quan").status_code == 403


def test_conclusion_is_a_record_replaced_with_a_new_number_and_signed(world, team):
    """Issue 13 on the Thông báo kết luận: core/records freezes it, a correction is a replacement
    (new number; the old one kept and marked), the signed scan is uploaded on the record's page."""
    from danvan.core import records

    t = team
    insp = issue(t, make_plan(t, world))
    url = f"/kiem-tra/{insp.id}/ket-luan/thay-the"
    r = t.inspector.post_form(url, {"conclusion": "x", "signer_name": "y", "version": insp.version})
    assert r.status_code == 409 and "chưa ban hành" in r.get_data(as_text=True)      # nothing to replace yet
    conclude(t, insp)
    db.session.refresh(insp)
    first = visits.conclusion_record(insp)
    assert first is not None and first.number_text == insp.number_text == "1-TB/BDVTU"
    old_pdf = t.commune.get(f"/kiem-tra/{insp.id}/thong-bao-ket-luan.pdf").data
    assert old_pdf == records.pdf_bytes(first)
    page = t.inspector.get(f"/kiem-tra/{insp.id}").get_data(as_text=True)
    assert f"/van-ban-ban-hanh/{first.id}" in page and "Ban hành văn bản thay thế" in page
    assert "Ban hành văn bản thay thế" not in t.commune.get(f"/kiem-tra/{insp.id}").get_data(as_text=True)
    # bad input and the wrong people
    good = {"conclusion": "Đề nghị phường Xuất Hóa thực hiện các kiến nghị; bổ sung số liệu trước 30/12",
            "signer_title": "Trưởng đoàn", "signer_name": "Phạm Duy Hưng", "version": insp.version}
    r = t.inspector.post_form(url, good | {"conclusion": "   "})
    assert r.status_code == 422 and "cần nội dung kết luận" in r.get_data(as_text=True)
    r = t.inspector.post_form(url, good | {"signer_name": "x" * 121})
    assert r.status_code == 422 and "Tối đa 120 ký tự." in r.get_data(as_text=True)
    assert t.inspector.post_form(url, good | {"version": insp.version - 1}).status_code == 409
    assert t.commune.post_form(url, good).status_code in (403, 404)
    assert t.other.post_form(url, good).status_code == 404
    assert visits.conclusion_record(insp).id == first.id            # nothing replaced so far
    r = t.inspector.post_form(url, good)
    assert r.status_code == 303, r.get_data(as_text=True)[:2000]
    db.session.expire_all()
    insp = db.session.get(Inspection, insp.id)
    second = visits.conclusion_record(insp)
    first = db.session.get(records.IssuedRecord, first.id)
    assert second.number_text == insp.number_text == "2-TB/BDVTU"
    assert first.replaced_by_id == second.id and first.state_label == "Đã được thay thế bởi số 2-TB/BDVTU"
    assert records.pdf_bytes(first) == old_pdf                           # the old number prints as issued
    new_pdf = t.commune.get(f"/kiem-tra/{insp.id}/thong-bao-ket-luan.pdf").data
    assert new_pdf == records.pdf_bytes(second) != old_pdf
    assert "Số 2-TB/BDVTU" in _pdf_text(new_pdf) and "trước 30/12" in _pdf_text(new_pdf)
    # the Party header as on every numbered document: the committee, then "BAN DÂN VẬN" alone
    assert _pdf_text(new_pdf).startswith(f"{world.p.name.upper()} BAN DÂN VẬN *"), _pdf_text(new_pdf)[:80]
    assert t.commune.get(f"/van-ban-ban-hanh/{first.id}/ban-luu.pdf").data == old_pdf
    assert any("thay thế số 1-TB/BDVTU" in n.title for n in db.session.scalars(
        sa.select(Notification).where(Notification.user_id == t.commune.user.id)))
    # the signed scan: a text file is refused, a PDF is kept and becomes the official copy
    bad = t.officer.post_form(f"/van-ban-ban-hanh/{second.id}/tai-ban-ky", {"file": (io.BytesIO(b"hello"), "x.pdf")})
    assert bad.status_code == 422
    ok = t.officer.post_form(f"/van-ban-ban-hanh/{second.id}/tai-ban-ky", {"file": (io.BytesIO(PDF), "ky.pdf")})
    assert ok.status_code == 303
    assert t.commune.get(f"/van-ban-ban-hanh/{second.id}/ban-ky").data == PDF
    assert t.commune.post_form(f"/van-ban-ban-hanh/{second.id}/tai-ban-ky",
                               {"file": (io.BytesIO(PDF), "ky.pdf")}).status_code in (403, 404)
    assert t.other.get(f"/van-ban-ban-hanh/{second.id}").status_code == 404


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)

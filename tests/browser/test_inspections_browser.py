"""The whole inspection flow in a real browser: the province ban plans a visit of phường Xuất Hóa,
the ward sends its report, the inspector fills the checklist row by row (htmx, errors in place),
records the visit, recommends and issues the Thông báo kết luận; the ward reports on a
recommendation, the team reopens it with a reason, then accepts it; the next visit of the ward
opens with the recommendation still open."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from danvan.auth.models import User
from danvan.core.vntext import today_local
from danvan.inspections.models import InspectionPlan
from danvan.plans import documents
from tests.browser.test_programme_browser import _login

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n%browser report\n"


def _plan_visit(page, title: str, day) -> None:
    page.goto("/kiem-tra/ke-hoach/moi")
    page.get_by_label("Tên kế hoạch").fill(title)
    page.get_by_label("Năm").fill(str(day.year))
    page.get_by_role("button", name="Tạo kế hoạch").click()
    expect(page.locator("h1")).to_have_text(title)
    picker = page.get_by_label("Đơn vị được kiểm tra")   # tree order, names indented by depth
    picker.select_option(picker.locator("option", has_text="Phường Xuất Hóa").get_attribute("value"))
    page.get_by_label("Ngày kiểm tra").fill(day.isoformat())   # a native date input
    page.get_by_label("Hạn gửi báo cáo (mặc định 3 ngày trước)").fill(day.isoformat())
    page.get_by_label("Nội dung kiểm tra").fill("Kiểm tra thực hiện Quy chế dân chủ ở cơ sở và “Dân vận khéo”")
    page.get_by_label("Thành viên đoàn (người đầu tiên là trưởng đoàn)").select_option(
        label="Triệu Thị Hoa — Ban Dân vận Tỉnh ủy")
    page.get_by_role("button", name="Thêm vào kế hoạch").click()
    expect(page.locator("#plan-inspections")).to_contain_text("Phường Xuất Hóa")


def _approve_and_issue(page, live_data, title: str) -> int:
    page.get_by_role("button", name="Lập văn bản kế hoạch (KH)").click()
    page.wait_for_url(re.compile(r"/van-ban/\d+"))
    with live_data() as session:   # the plans workflow has its own browser tests
        plan = session.scalar(sa.select(InspectionPlan).where(InspectionPlan.title == title))
        doc = session.get(documents.PlanDocument, plan.document_id)
        users = {u.username: u for u in session.scalars(sa.select(User).where(
            User.username.in_(["canbo.bdv", "lanhdao.bdv"])))}
        documents.transition(doc, "submit", actor=users["canbo.bdv"])
        documents.transition(doc, "approve", actor=users["lanhdao.bdv"])
        plan_id, inspection_id = plan.id, plan.inspections[0].id
    page.goto(f"/kiem-tra/ke-hoach/{plan_id}")
    page.get_by_role("button", name="Ban hành kế hoạch").click()
    expect(page.locator("#plan-state")).to_have_text("Đã ban hành")
    return inspection_id


def test_inspection_flow(browser, live_server, live_data, tmp_path):
    today = today_local()
    bdv_ctx, bdv = _login(browser, live_server, "canbo.bdv")
    title = f"Kế hoạch kiểm tra trình duyệt {today.year}"
    _plan_visit(bdv, title, today)
    inspection_id = _approve_and_issue(bdv, live_data, title)

    ward_ctx, ward = _login(browser, live_server, "canbo.xuathoa")
    ward.goto(f"/kiem-tra/{inspection_id}")
    expect(ward.locator("#report-status")).to_have_text("Chưa nộp")
    report = tmp_path / "bao-cao-xuat-hoa.pdf"
    report.write_bytes(PDF)
    ward.locator("#unit-report input[type=file]").set_input_files(str(report))
    ward.get_by_role("button", name="Gửi báo cáo").click()
    expect(ward.locator("#report-status")).to_have_text("Đã nộp đúng hạn")

    insp_ctx, insp = _login(browser, live_server, "kiemtra.bdv")
    insp.goto(f"/kiem-tra/{inspection_id}")
    rows = insp.locator("#checklist tr[id^=result-]")
    # "Chưa đạt" without a note: the row answers in place with the message, nothing else moves.
    first = rows.first
    first.locator("select").select_option("chua_dat")
    first.get_by_role("button", name="Lưu").click()
    expect(insp.locator("#checklist tr[id^=result-]").first).to_contain_text("Ghi rõ tồn tại")
    for i in range(rows.count()):
        row = insp.locator("#checklist tr[id^=result-]").nth(i)
        row_id = row.get_attribute("id")
        row.locator("select").select_option("dat")
        with insp.expect_response(lambda r: "/kiem-tra/tieu-chi/" in r.url and r.status == 200):
            row.get_by_role("button", name="Lưu").click()
        expect(insp.locator(f"#{row_id} select")).to_have_value("dat")
    insp.get_by_label("Kết quả đạt được").fill("Công khai tại trụ sở UBND phường; 07 mô hình “Dân vận khéo”")
    insp.get_by_label("Tồn tại, hạn chế").fill("Báo cáo thiếu số liệu minh chứng")
    insp.get_by_role("button", name="Lưu biên bản").click()
    expect(insp.locator("#inspection-state")).to_have_text("Đã kiểm tra")
    deadline = (today + timedelta(days=30)).isoformat()
    for text in ("Bổ sung số liệu minh chứng vào báo cáo", "Kiện toàn Ban Giám sát đầu tư của cộng đồng"):
        insp.get_by_label("Kiến nghị", exact=True).fill(text)
        insp.get_by_label("Thời hạn").fill(deadline)
        insp.get_by_role("button", name="Thêm kiến nghị").click()
        expect(insp.locator("#recommendations")).to_contain_text(text)
    insp.get_by_label("Ý kiến kết luận của đoàn").fill("Đề nghị phường thực hiện các kiến nghị")
    insp.get_by_label("Họ tên người ký").fill("Phạm Duy Hưng")
    # Issuing prints the PDF and the DOCX once (the first WeasyPrint run of the server loads its fonts).
    insp.get_by_role("button", name="Ban hành kết luận").click(timeout=60_000)
    expect(insp.locator("#conclusion-number")).to_contain_text(re.compile(r"Số \d+-TB/BDVTU"), timeout=60_000)
    with insp.expect_download() as download:
        insp.get_by_role("link", name="Tải DOCX").click()
    assert download.value.suggested_filename.endswith(".docx")

    # The ward reports on the first recommendation; the team reopens it with a reason, then accepts.
    ward.goto(f"/kiem-tra/{inspection_id}")
    ward.get_by_role("link", name="Bổ sung số liệu minh chứng vào báo cáo").click()
    ward.get_by_label("Kết quả thực hiện").fill("Đã bổ sung số liệu của 12 tổ dân phố")
    ward.get_by_role("button", name="Gửi báo cáo").click()
    expect(ward.locator("#recommendation-state")).to_have_text("Đơn vị đã báo cáo")
    rec_url = ward.url

    insp.goto(rec_url)
    insp.get_by_label("Đánh giá").select_option("reopen")
    insp.get_by_role("button", name="Ghi nhận").click()
    expect(insp.locator("#review")).to_contain_text("Cần ghi rõ lý do.")
    insp.get_by_label("Đánh giá").select_option("reopen")
    insp.get_by_label("Lý do (bắt buộc khi yêu cầu thực hiện lại)").fill("Thiếu số liệu tổ dân phố số 5")
    insp.get_by_role("button", name="Ghi nhận").click()
    expect(insp.locator("#recommendation-state")).to_have_text("Yêu cầu thực hiện lại")

    ward.goto(rec_url)
    expect(ward.locator("#timeline")).to_contain_text("Thiếu số liệu tổ dân phố số 5")
    ward.get_by_label("Kết quả thực hiện").fill("Đã bổ sung tổ dân phố số 5")
    ward.get_by_role("button", name="Gửi báo cáo").click()
    insp.goto(rec_url)
    insp.get_by_label("Đánh giá").select_option("accept")
    insp.get_by_role("button", name="Ghi nhận").click()
    expect(insp.locator("#recommendation-state")).to_have_text("Đã hoàn thành")

    # The next visit of the ward opens with the recommendation still open, not the accepted one.
    later = today + timedelta(days=40)
    next_title = f"Kế hoạch kiểm tra lần sau {later.year}"
    _plan_visit(bdv, next_title, later)
    bdv.locator("#plan-inspections").get_by_role("link", name="Phường Xuất Hóa").click()
    carried = bdv.locator("#carried-over")
    expect(carried).to_contain_text("Kiện toàn Ban Giám sát đầu tư của cộng đồng")
    expect(carried).not_to_contain_text("Bổ sung số liệu minh chứng vào báo cáo")
    for ctx in (bdv_ctx, ward_ctx, insp_ctx):
        ctx.close()

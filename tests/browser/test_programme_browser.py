"""A commune reports progress with evidence (refused first without it), the district accepts, and the
province's heatmap fragment refreshes in place with the new figure."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from danvan.auth.demo import DEMO_PASSWORD
from danvan.core.units import Unit
from danvan.programme.models import Programme, Task, TaskGroup

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n%browser evidence\n"


@pytest.fixture
def small_programme(live_data):
    with live_data() as session:
        root = session.scalar(sa.select(Unit).where(Unit.name == "Tỉnh ủy Bắc Kạn"))
        p = Programme(unit=root, title="Đề án thử nghiệm trình duyệt", title_key="de an thu nghiem trinh duyet",
                      start_year=2023, end_year=2025, lagging_below=Decimal(50))
        g = TaskGroup(programme=p, position=1, title="Nhóm kiểm thử", weight=Decimal(1))
        t = Task(programme=p, group=g, position=1, title="Tổ chức đối thoại với Nhân dân", weight=Decimal(1),
                 level="commune", starts_on=date(2023, 1, 1))
        session.add_all([p, g, t])
        session.flush()
        ids = (p.id, t.id)
    return ids


def _login(browser, live_server, username):
    context = browser.new_context(base_url=live_server, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/")
    return context, page


def test_commune_reports_with_evidence_and_province_heatmap_updates(page, login, browser, live_server,
                                                                    small_programme, tmp_path):
    programme_id, task_id = small_programme
    login("lanhdao.bdv")
    page.goto(f"/de-an/{programme_id}/ban-do-nhiet")
    row = page.locator("#heatmap tr", has=page.get_by_role("rowheader", name="Huyện ủy Ba Bể"))
    expect(row).to_contain_text("0,0 %")

    commune_ctx, commune = _login(browser, live_server, "canbo.nammau")
    commune.goto(f"/de-an/nhiem-vu/{task_id}")
    commune.get_by_role("link", name="+ Báo cáo tiến độ kỳ mới").click()
    commune.get_by_label("Loại kỳ").select_option("nam")
    commune.get_by_label("Năm").fill("2025")
    commune.get_by_label("Tình trạng").select_option("xong")
    commune.get_by_label("Kết quả thực hiện").fill("Đã tổ chức 02 cuộc đối thoại, có biên bản.")
    commune.get_by_role("button", name="Lưu bản nháp").click()
    expect(commune.locator("#report-form")).to_contain_text("phải kèm ít nhất một tài liệu minh chứng")
    evidence = tmp_path / "bien-ban-doi-thoai.pdf"
    evidence.write_bytes(PDF)
    commune.get_by_label(re.compile("Tài liệu minh chứng")).set_input_files(str(evidence))
    commune.get_by_role("button", name="Lưu bản nháp").click()
    expect(commune.locator("#report-facts")).to_contain_text("bien-ban-doi-thoai.pdf")
    commune.get_by_role("button", name="Gửi báo cáo").click()
    expect(commune.locator("#report-facts")).to_contain_text("Chờ duyệt")
    report_url = commune.url
    commune_ctx.close()

    district_ctx, district = _login(browser, live_server, "lanhdao.babe")
    district.goto(report_url)
    district.get_by_role("button", name="Duyệt").click()
    expect(district.locator("#report-facts")).to_contain_text("Đã duyệt")
    district_ctx.close()

    page.evaluate("window.__marker = 'same page'")
    page.get_by_role("button", name="Làm mới số liệu").click()
    expect(row).to_contain_text("6,7 %")   # 1 of Ba Bể's 15 communes at 100 %
    assert page.evaluate("window.__marker") == "same page"   # the fragment was swapped, no reload


def test_heatmap_commune_search_is_active_and_paged(page, login, small_programme):
    programme_id, _ = small_programme
    login("lanhdao.bdv")
    page.goto(f"/de-an/{programme_id}/ban-do-nhiet?level=unit&sort=lag")
    expect(page.locator("#heatmap .pager")).to_contain_text("Trang 1/")   # 108 communes, 50 a page
    page.evaluate("window.__marker = 'same page'")
    page.get_by_label("Tìm đơn vị").fill("nam mau")                      # typed without accents
    expect(page.locator("#heatmap tbody tr")).to_have_count(1)
    expect(page.locator("#heatmap tbody")).to_contain_text("Xã Nam Mẫu")
    expect(page.locator("#heatmap")).to_contain_text("khớp «nam mau»")
    assert page.evaluate("window.__marker") == "same page"
    assert re.search(r"q=nam(\+|%20)mau", page.url)                        # the search is in the address

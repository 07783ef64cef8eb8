"""In a browser: a ward registers a model, submits it; the city returns it with a reason; the ward
fixes and resubmits; the city accepts, scores and recognises it with a numbered decision; the
list's active search finds it without accents."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from danvan.core.vntext import today_local

pytestmark = pytest.mark.browser
NAME = "Tủ sách cộng đồng tổ 7 Xuất Hóa"


def switch(page, login, username):
    page.context.clear_cookies()
    login(username)


def test_register_submit_return_fix_accept_recognise_and_search(page, login):
    page.on("dialog", lambda dialog: dialog.accept())
    year = today_local().year
    login("canbo.xuathoa")
    page.goto("/dan-van-kheo/")
    page.get_by_role("link", name="+ Đăng ký mô hình").click()
    page.get_by_label("Tên mô hình, điển hình").fill(NAME)
    page.get_by_label("Lĩnh vực").select_option(label="Văn hóa – xã hội")
    page.get_by_label("Tổ chức chủ trì thực hiện").fill("Đoàn Thanh niên")
    page.get_by_label("Thực trạng, lý do xây dựng mô hình").fill("Thiếu sách cho thiếu nhi")
    page.get_by_label("Mục tiêu, tiêu chí").fill("500 đầu sách")
    page.get_by_label("Nội dung, cách thức thực hiện").fill("Quyên góp, luân chuyển sách")
    page.get_by_label("Địa bàn, đối tượng").fill("Tổ 7; thiếu nhi")
    page.get_by_label("Lực lượng thực hiện").fill("Đoàn viên thanh niên")
    page.get_by_label("Ngày bắt đầu").fill(f"01/04/{year}")
    page.get_by_label("Ngày kết thúc").fill(f"31/03/{year}")
    page.get_by_label("Kết quả dự kiến").fill("Thư viện mở")
    page.get_by_label("Cách thức duy trì, nhân rộng").fill("Luân chuyển sách hằng quý")
    page.get_by_role("button", name="Lưu bản nháp").click()
    expect(page.locator("#err-end_on")).to_have_text("Ngày kết thúc không được trước ngày bắt đầu.")
    page.get_by_label("Ngày kết thúc").fill(f"31/12/{year}")
    page.get_by_role("button", name="Lưu bản nháp").click()
    expect(page.locator("#initiative-state")).to_have_text("Nháp")
    detail_url = page.url
    page.get_by_role("button", name="Gửi đăng ký").click()
    expect(page.locator("#initiative-state")).to_have_text("Đã gửi, chờ duyệt")

    switch(page, login, "lanhdao.thanhpho")
    page.goto(detail_url)
    page.get_by_role("button", name="Trả lại để sửa").click()
    expect(page.locator(".flash-danger")).to_contain_text("Cần ghi rõ lý do.")
    page.get_by_label("Lý do / ý kiến (bắt buộc khi trả lại)").fill("Bổ sung số liệu: bao nhiêu thiếu nhi?")
    page.get_by_role("button", name="Trả lại để sửa").click()
    expect(page.locator("#initiative-state")).to_have_text("Trả lại để sửa")

    switch(page, login, "canbo.xuathoa")
    page.goto(detail_url)
    expect(page.locator("#initiative-history")).to_contain_text("Bổ sung số liệu")
    page.get_by_role("link", name="Sửa").click()
    expect(page.get_by_label("Ngày bắt đầu")).to_have_value(f"01/04/{year}")
    page.get_by_label("Kết quả dự kiến").fill("Thư viện mở cho 120 thiếu nhi")
    page.get_by_role("button", name="Lưu bản nháp").click()
    expect(page.locator(".facts")).to_contain_text("120 thiếu nhi")
    page.get_by_role("button", name="Gửi đăng ký").click()
    expect(page.locator("#initiative-state")).to_have_text("Đã gửi, chờ duyệt")

    switch(page, login, "lanhdao.thanhpho")
    page.goto(detail_url)
    page.get_by_role("button", name="Tiếp nhận").click()
    expect(page.locator("#initiative-state")).to_have_text("Đã tiếp nhận")
    scores = page.locator("#initiative-scores input[name^=score_]")   # text inputs: no browser check
    for i in range(scores.count()):
        scores.nth(i).fill(scores.nth(i).get_attribute("data-max"))
    page.get_by_role("button", name="Lưu điểm").click()
    expect(page.locator("#initiative-scores h2")).to_contain_text("100/100")
    page.goto(f"/dan-van-kheo/cong-nhan?year={year}")
    page.get_by_label(NAME).check()
    page.get_by_role("button", name="Ban hành quyết định công nhận").click()
    expect(page.locator("h1")).to_have_text(re.compile(r"Quyết định số \d+-QĐ/TU"))
    page.get_by_role("link", name=NAME).click()
    expect(page.locator("#initiative-state")).to_have_text("Đã công nhận")

    page.goto("/dan-van-kheo/")
    page.get_by_label("Tìm kiếm").fill("tu sach cong dong")
    expect(page.locator("#initiative-rows")).to_contain_text(NAME)
    expect(page.locator("#initiative-rows tbody tr")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=tu(\+|%20)sach"))  # back and reload keep the search
    page.get_by_label("Tìm kiếm").fill("khong co mo hinh nay")
    expect(page.locator("#initiative-rows")).to_contain_text("Không có mô hình nào khớp bộ lọc.")


def test_province_statistics_drill_down(page, login):
    login("lanhdao.bdv")
    page.goto("/dan-van-kheo/tong-hop")
    expect(page.locator("#initiative-stats")).to_contain_text("Thành ủy Bắc Kạn")
    page.get_by_role("link", name="Thành ủy Bắc Kạn").click()
    expect(page.locator("h1")).to_contain_text("Thành ủy Bắc Kạn")
    expect(page.locator("#initiative-stats")).to_contain_text("Phường Xuất Hóa")


def test_last_years_models_follow_the_unit_chosen(page, login, live_data):
    """Choosing the registering unit (or the year) refills "model of last year" at once, before any save."""
    import sqlalchemy as sa

    from danvan.core.units import Unit
    from tests.samples.initiatives import make_initiative

    year = today_local().year
    with live_data() as session:
        units = {u.name: u for u in session.scalars(sa.select(Unit).where(
            Unit.name.in_(("Phường Xuất Hóa", "Phường Sông Cầu"))))}
        make_initiative(units["Phường Xuất Hóa"], year=year - 1, name="Vườn rau sạch Xuất Hóa")
        make_initiative(units["Phường Sông Cầu"], year=year - 1, name="Camera an ninh Sông Cầu")
        make_initiative(units["Phường Sông Cầu"], year=year - 2, name="Mô hình Sông Cầu hai năm trước")
    login("canbo.thanhpho")
    page.goto("/dan-van-kheo/moi")
    previous = page.get_by_label("Mô hình năm trước (nếu duy trì)")
    page.get_by_label("Đơn vị đăng ký").select_option(label="Phường Sông Cầu")
    expect(previous.locator("option")).to_have_text(["— Không chọn —", f"Camera an ninh Sông Cầu ({year - 1})"])
    page.get_by_label("Đơn vị đăng ký").select_option(label="Phường Xuất Hóa")
    expect(previous.locator("option")).to_have_text(["— Không chọn —", f"Vườn rau sạch Xuất Hóa ({year - 1})"])
    page.get_by_label("Đơn vị đăng ký").select_option(label="Phường Sông Cầu")
    page.get_by_label("Năm đăng ký").fill(str(year - 1))
    page.get_by_label("Năm đăng ký").press("Tab")   # leaving the field sends its change
    expect(previous.locator("option")).to_have_text(["— Không chọn —",
                                                     f"Mô hình Sông Cầu hai năm trước ({year - 2})"])
    previous.select_option(label=f"Mô hình Sông Cầu hai năm trước ({year - 2})")
    expect(previous).to_have_value(re.compile(r"^\d+$"))

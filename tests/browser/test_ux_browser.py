"""Issue 16 in a real browser whose language is English: the server, not the browser, answers an
empty required field (in Vietnamese), dates are typed dd/mm/yyyy, and search takes words in any order."""
from __future__ import annotations

from playwright.sync_api import expect

from danvan.auth.demo import DEMO_PASSWORD

pytestmark = __import__("pytest").mark.browser


def test_english_browser_gets_vietnamese_messages_and_dd_mm_yyyy(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="en-US", timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto("/dang-nhap")
        page.get_by_label("Tên đăng nhập").fill("admin")
        page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url("**/")

        page.goto("/don-vi/moi")
        date_input = page.get_by_label("Ngày thành lập")
        expect(date_input).to_have_attribute("placeholder", "dd/mm/yyyy")
        date_input.fill("03/12/2026")
        # Name left empty: no browser bubble stops the form; the server answers in Vietnamese.
        page.get_by_role("button", name="Tạo đơn vị").click()
        expect(page.locator("#field-name .error")).to_have_text("Nhập tên đơn vị.")
        expect(page.get_by_label("Ngày thành lập")).to_have_value("03/12/2026")
        assert page.evaluate("() => document.querySelectorAll(':invalid').length") == 0

        # Search: words in any order, without accents.
        page.goto("/don-vi/")
        page.get_by_label("Tìm đơn vị").fill("mau nam")
        expect(page.locator("#unit-search-results")).to_contain_text("Xã Nam Mẫu")
    finally:
        context.close()

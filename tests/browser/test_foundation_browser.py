"""Log in, search a user without accents, expand a district in the unit tree, log out."""
from __future__ import annotations

import re

from playwright.sync_api import expect

pytestmark = __import__("pytest").mark.browser


def test_login_search_tree_logout(page, login):
    login("admin")
    expect(page.locator(".who")).to_contain_text("Quản trị hệ thống")

    page.goto("/quan-tri/nguoi-dung")
    page.get_by_label("Tìm kiếm").fill("hoang thu trang")
    expect(page.locator("#user-rows")).to_contain_text("Hoàng Thu Trang")
    expect(page.locator("#user-rows tbody tr")).to_have_count(1)
    assert "q=hoang" in page.url  # the search is in the address bar: back and reload keep it

    page.goto("/don-vi/")
    district = page.locator("li", has=page.get_by_role("link", name="Huyện ủy Ba Bể", exact=True)).first
    district.get_by_role("button", name=re.compile("Mở Huyện ủy Ba Bể")).click()
    expect(district.get_by_role("link", name="Xã Nam Mẫu")).to_be_visible()

    page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile(r"/dang-nhap"))
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    page.goto("/quan-tri/nguoi-dung")
    expect(page).to_have_url(re.compile(r"/dang-nhap"))


def test_bad_password_message_and_unit_search_without_accents(page, login):
    page.goto("/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill("canbo.bdv")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("#login-error")).to_contain_text("không đúng")
    login("canbo.bdv")
    page.goto("/don-vi/")
    page.get_by_label("Tìm đơn vị").fill("xuat hoa")
    expect(page.locator("#unit-search-results")).to_contain_text("Phường Xuất Hóa")


def test_expired_session_on_htmx_request_goes_to_login_page(page, login):
    login("admin")
    page.goto("/quan-tri/nguoi-dung")
    page.context.clear_cookies()  # the session expires while the page is open
    page.get_by_label("Tìm kiếm").fill("nguyen")
    expect(page).to_have_url(re.compile(r"/dang-nhap"))
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    assert page.locator("#user-rows").count() == 0  # no login form swapped into the table

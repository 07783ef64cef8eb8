"""Behaviour that used inline handlers now lives in static/js/app.js under a strict CSP: the
checklist filter, the confirmation before a destructive submit, the expander that loads once.
The page fixture fails on any CSP violation reported by the browser."""
from __future__ import annotations

import re

from playwright.sync_api import expect

pytestmark = __import__("pytest").mark.browser


def test_csp_header_and_delegated_behaviours(page, login):
    login("admin")
    response = page.goto("/don-vi/sap-nhap")
    assert "default-src 'self'" in response.headers["content-security-policy"]

    # data-filter-list: typing without accents hides the units that do not match.
    page.get_by_label("Lọc danh sách đơn vị").fill("nam mau")
    expect(page.locator("#merge-list label.check", has_text="Xã Nam Mẫu")).to_be_visible()
    expect(page.locator("#merge-list label.check", has_text="Phường Xuất Hóa")).to_be_hidden()

    # data-confirm: dismissing the question submits nothing.
    asked: list[str] = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.locator("#merge-list label.check", has_text="Xã Nam Mẫu").locator("input").check()
    page.locator("form[data-confirm] button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/don-vi/sap-nhap$"))
    assert asked and "Sáp nhập các đơn vị đã chọn?" in asked[0]

    # data-expand-once: the expander loads the children, then stays open and disabled.
    page.goto("/don-vi/")
    district = page.locator("li", has=page.get_by_role("link", name="Huyện ủy Ba Bể", exact=True)).first
    button = district.get_by_role("button", name=re.compile("Mở Huyện ủy Ba Bể"))
    button.click()
    expect(district.get_by_role("link", name="Xã Nam Mẫu")).to_be_visible()
    expect(button).to_be_disabled()
    expect(button).to_have_attribute("aria-expanded", "true")

"""In a real browser: closing a call asks for confirmation; the tracking page turns read-only with a
notice and the target's dashboard no longer counts the call."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_close_call_with_confirmation(page, login, live_data):
    from danvan import calls
    from danvan.core.units import Unit
    from danvan.core.vntext import today_local

    with live_data() as session:
        ban = session.scalar(sa.select(Unit).where(Unit.name == "Ban Dân vận Huyện ủy Ba Bể"))
        nam_mau = session.scalar(sa.select(Unit).where(Unit.name == "Xã Nam Mẫu"))
        call = calls.create_call(ban, {"title": "Báo cáo thử đóng yêu cầu", "type_code": "BC",
                                       "deadline": today_local() + timedelta(days=4)}, [nam_mau], actor=None,
                                 notify=False)
        call_id = call.id

    login("canbo.nammau")
    expect(page.locator("#panel-plans")).to_contain_text("Báo cáo thử đóng yêu cầu")
    pending = int(page.locator("#count-pending").inner_text())
    page.get_by_role("button", name="Đăng xuất").click()

    login("canbo.babe")
    page.goto(f"/yeu-cau/{call_id}")
    page.once("dialog", lambda d: d.dismiss())
    with page.expect_event("dialog") as dialog:
        page.get_by_role("button", name="Đóng yêu cầu").click()
    assert "trang theo dõi vẫn xem được" in dialog.value.message
    expect(page.locator("#call-archived")).to_have_count(0)              # dismissed: nothing happened
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Đóng yêu cầu").click()
    expect(page.locator("#flash")).to_contain_text("Đã đóng yêu cầu")
    expect(page.locator("#call-archived")).to_contain_text("Yêu cầu đã đóng")
    expect(page.locator("#tracking-summary")).to_have_text("0/1 đơn vị đã nộp, 0 nộp muộn")
    expect(page.get_by_role("button", name="Nhắc các đơn vị chưa nộp")).to_have_count(0)
    expect(page.get_by_role("button", name="Đóng yêu cầu")).to_have_count(0)
    page.goto("/yeu-cau/?tab=da_dong")
    expect(page.locator("#call-rows")).to_contain_text("Báo cáo thử đóng yêu cầu")
    page.get_by_role("button", name="Đăng xuất").click()

    login("canbo.nammau")
    expect(page.locator("#panel-plans")).not_to_contain_text("Báo cáo thử đóng yêu cầu")
    expect(page.locator("#count-pending")).to_have_text(str(pending - 1))
    page.goto(f"/yeu-cau/{call_id}")
    expect(page.locator("#call-archived")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Soạn văn bản trả lời"))).to_have_count(0)

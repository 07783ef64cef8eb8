"""In a real browser: draft, submit, return with a reason, resubmit, approve (number shown); the
bell's unread count loaded by htmx and mark-read in place; the tracking page's htmx filter and the
remind button; the document list's active search."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _logout(page):
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile(r"/dang-nhap"))


def test_full_flow_in_browser(page, login):
    login("canbo.xuathoa")
    page.get_by_role("link", name="Văn bản").first.click()
    page.get_by_role("link", name="+ Soạn văn bản").click()
    page.get_by_label("Loại văn bản").select_option("KH")
    page.get_by_label("Trích yếu").fill("Kế hoạch tuyên truyền trình duyệt <b>đậm</b>")
    page.locator("#sections-0-body").fill("Quán triệt đến chi bộ.\n- Tổ dân phố 1\n- Tổ dân phố 2")
    page.get_by_label("Họ tên người ký").fill("Lý Văn Minh")
    page.get_by_role("button", name="Lưu bản nháp").click()
    expect(page.locator("#document-state")).to_have_text("Nháp")
    expect(page.locator("h1")).to_have_text("Kế hoạch")
    expect(page.locator("#document-facts")).to_contain_text("<b>đậm</b>")   # shown as text, not markup
    page.get_by_role("button", name="Gửi duyệt").click()
    expect(page.locator("#document-state")).to_have_text("Đã gửi")
    url = page.url
    _logout(page)

    login("lanhdao.thanhpho")
    expect(page.locator("#bell-count")).to_have_text(re.compile(r"[1-9]"))   # loaded by htmx
    page.goto(url)
    page.get_by_role("button", name="Trả lại").click()                       # no reason: refused
    expect(page.locator("#action-error")).to_contain_text("Cần ghi rõ lý do")
    page.get_by_label("Lý do trả lại (bắt buộc)").fill("Bổ sung số liệu cụ thể.")
    page.get_by_role("button", name="Trả lại").click()
    expect(page.locator("#document-state")).to_have_text("Bị trả lại")
    _logout(page)

    login("canbo.xuathoa")
    page.goto("/thong-bao/")
    item = page.locator("li.notification", has_text="Bị trả lại").first
    expect(item).to_contain_text("Bổ sung số liệu cụ thể.")
    item.get_by_role("button", name="Đánh dấu đã đọc").click()               # hx-post, swapped in place
    expect(item).to_contain_text("đã đọc")
    page.goto(url)
    page.get_by_role("link", name="Sửa").click()
    page.locator("#sections-1-body").fill("Có 07 mô hình.")
    page.get_by_role("button", name="Lưu bản nháp").click()
    expect(page.locator("#document-body")).to_contain_text("Có 07 mô hình.")
    page.get_by_role("button", name="Gửi duyệt").click()
    expect(page.locator("#document-state")).to_have_text("Đã gửi")
    _logout(page)

    login("lanhdao.thanhpho")
    page.goto("/")
    page.get_by_role("link", name=re.compile("Chờ tôi duyệt")).click()
    page.get_by_role("link", name=re.compile("Kế hoạch tuyên truyền trình duyệt")).click()
    page.get_by_role("button", name="Duyệt và cấp số").click()
    expect(page.locator("#document-state")).to_have_text("Đã duyệt")
    expect(page.locator("#document-number")).to_have_text(re.compile(r"^Số \d+-KH/ĐU$"))
    expect(page.locator("#document-timeline")).to_contain_text("Bổ sung số liệu cụ thể.")
    expect(page.locator("#document-timeline li")).to_have_count(5)
    with page.expect_popup() as popup:
        page.get_by_role("link", name="Bản in").click()
    printed = popup.value
    expect(printed.locator(".number")).to_have_text(re.compile(r"Số \d+-KH/ĐU"))
    expect(printed.locator(".party")).to_have_text("ĐẢNG CỘNG SẢN VIỆT NAM")


def test_tracking_filter_remind_and_list_search(page, login, live_data):
    from danvan import calls
    from danvan.core.units import Unit
    from danvan.core.vntext import today_local
    from danvan.plans import documents

    with live_data() as session:
        district = session.scalar(sa.select(Unit).where(Unit.name == "Huyện ủy Ba Bể"))
        communes = list(session.scalars(sa.select(Unit).where(Unit.parent_id == district.id, Unit.kind == "xa")
                                        .order_by(Unit.name)))[:3]
        call = calls.create_call(district, {"title": "Báo cáo thử trình duyệt", "type_code": "BC",
                                            "deadline": today_local() + timedelta(days=4)}, communes, actor=None)
        from danvan.auth.models import User

        filer = session.scalar(sa.select(User).where(User.unit_id == communes[0].id, User.username.like("canbo.%")))
        doc = documents.create_document(communes[0], {
            "type_code": "BC", "summary": "Báo cáo Bành Trạch thử", "year": 2026, "signer_name": "A",
            "sections": [{"heading": "I", "body": "Kết quả"}], "call": call}, actor=filer)
        documents.transition(doc, "submit", actor=filer)
        call_id, filed, missing = call.id, communes[0].name, communes[1].name

    login("canbo.babe")
    page.goto(f"/yeu-cau/{call_id}")
    expect(page.locator("#tracking-summary")).to_have_text("1/3 đơn vị đã nộp, 0 nộp muộn")
    page.locator("#tracking").get_by_role("link", name="Chưa nộp", exact=True).click()   # hx-get
    expect(page.locator("#tracking-rows")).to_contain_text(missing)
    expect(page.locator("#tracking-rows")).not_to_contain_text(filed)
    assert "trang_thai=missing" in page.url
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Nhắc các đơn vị chưa nộp").click()
    expect(page.locator("#flash")).to_contain_text("Đã nhắc 2 đơn vị chưa nộp")

    page.goto("/van-ban/")
    page.get_by_label("Tìm kiếm").fill("banh trach thu")
    expect(page.locator("#document-rows")).to_contain_text("Báo cáo Bành Trạch thử")
    expect(page.locator("#document-rows tbody tr")).to_have_count(1)


def test_bell_poll_does_not_redirect_when_session_ends(page, login):
    login("canbo.babe")
    page.goto("/van-ban/moi")
    page.get_by_label("Trích yếu").fill("Nội dung đang gõ dở")
    page.context.clear_cookies()                                # the session ends while typing
    # The 60 s poll fires; its promise settles once htmx has handled the 401 answer. A redirect would
    # have started by then: the Navigation API reports it synchronously, so nothing is left to chance.
    left_for = page.evaluate("""async () => {
        let target = null;
        navigation.addEventListener('navigate', (e) => { target = e.destination.url; });
        const bell = document.querySelector('.bell');
        await htmx.ajax('GET', bell.getAttribute('hx-get'), {source: bell, target: bell, swap: 'innerHTML'});
        return target; }""")
    assert left_for is None
    assert "/van-ban/moi" in page.url
    expect(page.get_by_label("Trích yếu")).to_have_value("Nội dung đang gõ dở")

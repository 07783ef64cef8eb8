"""In a real browser (issue 16.1–2): the issuing district corrects a call's deadline with a reason —
refused input comes back in Vietnamese with the form open and kept, the tracking is recomputed,
the history shows the reason, the target reads the notice; the call form offers the document type
only for calls that ask for documents."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_issuer_changes_the_deadline_through_the_page(page, login, live_data):
    from danvan import calls
    from danvan.auth.models import User
    from danvan.core.units import Unit
    from danvan.core.vntext import fmt_date, today_local
    from danvan.plans import documents

    today = today_local()
    with live_data() as session:
        district = session.scalar(sa.select(Unit).where(Unit.name == "Huyện ủy Ba Bể"))
        communes = list(session.scalars(sa.select(Unit).where(Unit.parent_id == district.id, Unit.kind == "xa")
                                        .order_by(Unit.path)))[:2]
        call = calls.create_call(district, {"title": "Báo cáo đổi hạn thử trình duyệt", "type_code": "BC",
                                            "deadline": today + timedelta(days=1)}, communes, actor=None)
        call.deadline = today - timedelta(days=3)          # sent with a date typed wrong, now past
        filer = session.scalar(sa.select(User).where(User.unit_id == communes[0].id, User.username.like("canbo.%")))
        target = session.scalar(sa.select(User.username).where(User.unit_id == communes[1].id,
                                                               User.username.like("canbo.%")))
        doc = documents.create_document(communes[0], {
            "type_code": "BC", "summary": "Báo cáo gửi hôm nay", "year": today.year, "signer_name": "A",
            "sections": [{"heading": "I", "body": "Kết quả"}], "call": call}, actor=filer)
        documents.transition(doc, "submit", actor=filer)
        call_id = call.id

    login("canbo.babe")
    page.goto(f"/yeu-cau/{call_id}")
    expect(page.locator("#tracking-counts")).to_contain_text("Đúng hạn: 0 · Nộp muộn: 1")
    box = page.locator("#change-deadline")
    box.locator("summary").click()
    box.get_by_label("Hạn nộp mới").fill("31/02/2027")
    box.get_by_label("Lý do đổi hạn").fill("Gõ nhầm ngày khi gửi")
    box.get_by_role("button", name="Lưu hạn mới và thông báo").click()
    box = page.locator("#change-deadline")
    expect(box).to_have_attribute("open", "")
    expect(box).to_contain_text("Ngày phải theo dạng dd/mm/yyyy")
    expect(box.get_by_label("Hạn nộp mới")).to_have_value("31/02/2027")
    expect(box.get_by_label("Lý do đổi hạn")).to_have_value("Gõ nhầm ngày khi gửi")
    box.get_by_label("Hạn nộp mới").fill(fmt_date(today - timedelta(days=5)))   # earlier and past: refused
    box.get_by_role("button", name="Lưu hạn mới và thông báo").click()
    expect(page.locator("#change-deadline")).to_contain_text("Hạn sớm hơn phải từ hôm nay trở đi")
    new = fmt_date(today + timedelta(days=4))
    page.locator("#change-deadline").get_by_label("Hạn nộp mới").fill(new)
    page.locator("#change-deadline").get_by_role("button", name="Lưu hạn mới và thông báo").click()
    expect(page.locator("#flash")).to_contain_text(f"thành {new}")
    expect(page.locator("#call-deadline")).to_contain_text(new)
    expect(page.locator("#tracking-counts")).to_contain_text("Đúng hạn: 1 · Nộp muộn: 0")   # recomputed
    expect(page.locator("#deadline-history")).to_contain_text("Gõ nhầm ngày khi gửi")
    page.get_by_role("button", name="Đăng xuất").click()

    login(target)
    page.goto("/thong-bao/")
    expect(page.locator("li.notification", has_text="Đổi hạn nộp").first).to_contain_text("Gõ nhầm ngày khi gửi")
    page.goto(f"/yeu-cau/{call_id}")
    expect(page.locator("#my-status")).to_contain_text(f"Hạn của đơn vị: {new}")
    expect(page.locator("#change-deadline")).to_have_count(0)


def test_call_form_offers_the_document_type_only_for_document_calls(page, login):
    login("canbo.babe")
    page.goto("/yeu-cau/moi")
    kind = page.get_by_label("Loại yêu cầu")
    type_code = page.get_by_label("Loại văn bản cần nộp")
    expect(type_code).to_be_visible()                       # documents: the default kind
    kind.select_option("initiative_registration")
    expect(type_code).to_be_hidden()
    kind.select_option("document")
    expect(type_code).to_be_visible()

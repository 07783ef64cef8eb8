"""Issue 13 in a real browser: a conference built from scratch through the page, its invitation
issued (frozen), an edit after issue offered as a replacement, and the packet an office prints."""
from __future__ import annotations

import io
import re
from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.live import running_consumer

pytestmark = pytest.mark.browser


def test_conference_from_scratch_to_issued_packet(page, login, live_app):
    login("canbo.babe")
    page.goto("/hoi-nghi/moi")
    expect(page.get_by_label("Họ tên người ký")).to_have_value("Ma Văn Cường")   # the leader, not the officer
    page.get_by_label("Tên hội nghị").fill("Hội nghị sơ kết thử hồ sơ ban hành")
    page.locator("#day").fill("2026-12-20")
    page.locator("#start").fill("08:00")
    page.locator("#end").fill("11:00")
    page.locator("#venue").fill("Hội trường Huyện ủy")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("h1")).to_contain_text("Hội nghị sơ kết thử hồ sơ ban hành")
    conf_url = page.url

    chairs = page.locator("#chairs")
    chairs.get_by_label("Họ tên").fill("Ma Văn Cường")
    chairs.get_by_label("Chức vụ").fill("Trưởng Ban Dân vận Huyện ủy")
    chairs.get_by_role("button", name="Thêm người chủ trì").click()
    expect(page.locator("#chair-list")).to_contain_text("Ma Văn Cường")
    expect(page.locator("#chairs").get_by_label("Họ tên")).to_have_value("")     # the form clears

    invitees = page.locator("#invitees")
    invitees.locator("summary").click()
    invitees.locator("input[data-kind=xa]").nth(0).check()
    invitees.locator("input[data-kind=xa]").nth(1).check()
    invitees.get_by_role("button", name="Mời các đơn vị đã chọn").click()
    expect(page.locator("#invitees tbody tr")).to_have_count(2)

    items = page.locator("#items")
    for text in ("Khai mạc hội nghị", "Kết luận hội nghị"):
        page.locator("#items").get_by_label("Nội dung").fill(text)
        page.locator("#items").get_by_role("button", name="Thêm mục").click()
        expect(items.locator("#item-rows")).to_contain_text(text)

    documents = page.locator("#documents")
    gm_row = documents.locator("tr", has_text="Giấy mời").first
    expect(gm_row).to_contain_text("PDF (dự thảo)")
    page.once("dialog", lambda d: d.accept())
    gm_row.get_by_role("button", name="Cấp số, ban hành").click(no_wait_after=True)
    expect(page.locator("#documents")).to_contain_text("-GM/BDVHU", timeout=30_000)   # renders and stores
    first = re.search(r"Số (\d+-GM/BDVHU)", page.locator("#documents").inner_text()).group(1)

    page.goto(conf_url + "/sua")
    page.locator("#venue").fill("Hội trường Ủy ban nhân dân huyện")
    page.get_by_role("button", name="Lưu").click()
    warning = page.locator("#not-following")
    expect(warning).to_contain_text(first)
    page.once("dialog", lambda d: d.accept())
    warning.get_by_role("button", name="Ban hành văn bản thay thế").click(no_wait_after=True)
    expect(page.locator("#not-following")).to_have_count(0, timeout=30_000)
    second = re.search(r"Số (\d+-GM/BDVHU)", page.locator("#documents").inner_text()).group(1)
    assert second != first

    page.goto(conf_url)
    page.locator("form[action$='/bo-tai-lieu.pdf'] button").click()   # the packet is a background job
    page.wait_for_url("**/cong-viec/*")
    with running_consumer(live_app):
        link = page.locator(".job-panel a.job-download")
        expect(link).to_be_visible(timeout=60_000)
    response = page.request.get(urljoin(page.url, link.get_attribute("href")))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.body()))
    toc = reader.pages[0].extract_text()
    assert f"Giấy mời số {second}" in toc
    assert "Hội trường Ủy ban nhân dân huyện" in " ".join(p.extract_text() for p in reader.pages)

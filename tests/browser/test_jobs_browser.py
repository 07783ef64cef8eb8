"""In a browser: start the Dân vận khéo Excel export, watch the progress panel (htmx polling
while the job waits and runs in a real consumer), then download the file."""
from __future__ import annotations

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from danvan.initiatives import excel
from tests.live import running_consumer

pytestmark = pytest.mark.browser


def test_export_progress_panel_then_download(page, login, live_app, tmp_path):
    login("canbo.bdv")
    page.goto("/dan-van-kheo/")
    page.get_by_role("button", name="Xuất Excel danh sách đang lọc").click()
    page.wait_for_url("**/cong-viec/*")
    panel = page.locator(".job-panel")
    # No consumer yet: the job waits, and the panel says so while it polls.
    expect(panel).to_contain_text("Đang chờ")
    expect(panel).to_contain_text("0 %")
    url = page.url
    with running_consumer(live_app):
        link = page.get_by_role("link", name="Tải về «dan-van-kheo-tat-ca.xlsx»")
        expect(link).to_be_visible(timeout=60_000)          # swapped in by polling, no reload
        assert page.url == url
        expect(panel).to_contain_text("Hoàn thành")
        expect(panel).to_contain_text("100 %")
        with page.expect_download() as info:
            link.click()
    download = info.value
    assert download.suggested_filename == "dan-van-kheo-tat-ca.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    workbook = load_workbook(saved)
    assert [c.value for c in workbook[excel.SHEET][1]] == excel.HEADERS
    # Coming back later finds the job in «Công việc của tôi».
    page.goto("/cong-viec/")
    expect(page.get_by_role("link", name="Xuất Excel «Dân vận khéo» mọi năm")).to_be_visible()

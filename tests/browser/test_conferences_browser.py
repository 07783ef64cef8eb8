"""htmx flows on the conference page: add/remove agenda items and điểm cầu in place."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _conference(live_data, unit_name: str = "Ban Dân vận Huyện ủy Ba Bể") -> int:
    from danvan.conferences.models import Conference
    from danvan.core.units import Unit

    with live_data() as session:
        unit = session.scalar(sa.select(Unit).where(Unit.name == unit_name))
        conf = Conference(unit=unit, kind="so_ket", title="Hội nghị sơ kết thử trình duyệt", search_key="x",
                          starts_at=datetime(2026, 12, 10, 1, tzinfo=UTC),
                          ends_at=datetime(2026, 12, 10, 4, tzinfo=UTC))
        session.add(conf)
        session.flush()
        return conf.id


def test_agenda_and_points_in_place(page, login, live_data):
    conf_id = _conference(live_data)
    login("canbo.babe")
    page.goto(f"/hoi-nghi/{conf_id}")
    items = page.locator("#items")
    items.get_by_label("Nội dung").fill("Khai mạc hội nghị")
    items.get_by_role("button", name="Thêm mục").click()
    expect(page.locator("#item-rows")).to_contain_text("Khai mạc hội nghị")
    page.locator("#items").get_by_label("Nội dung").fill("Báo cáo sơ kết")
    page.locator("#items").get_by_role("button", name="Thêm mục").click()
    expect(page.locator("#item-rows tbody tr")).to_have_count(2)
    page.get_by_role("button", name="Đưa «Báo cáo sơ kết» lên").click()
    expect(page.locator("#item-rows tbody tr").first).to_contain_text("Báo cáo sơ kết")
    page.once("dialog", lambda d: d.accept())
    page.locator("#item-rows tbody tr").first.get_by_role("button", name="Xóa").click()
    expect(page.locator("#item-rows tbody tr")).to_have_count(1)

    points = page.locator("#points")
    points.locator("summary").click()
    points.get_by_role("button", name="Chọn tất cả xã, phường, thị trấn").click()
    points.get_by_role("button", name="Thêm các điểm cầu đã chọn").click()
    expect(page.locator("#point-rows tbody tr")).to_have_count(15)
    page.once("dialog", lambda d: d.accept())
    page.locator("#point-rows tbody tr").first.get_by_role("button", name="Bỏ").click()
    expect(page.locator("#point-rows tbody tr")).to_have_count(14)
    page.reload()
    expect(page.locator("#point-rows tbody tr")).to_have_count(14)
    expect(page.locator("#item-rows tbody tr")).to_have_count(1)

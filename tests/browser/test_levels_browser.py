"""Issue 16 point 19 in a browser: in a post-2025 province (communes directly under it, no district)
the conference picker offers «Chọn tất cả xã, phường, thị trấn», which checks every commune and
nothing else, and no «huyện» button; the points are then added in place."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_conferences_browser import _conference

pytestmark = pytest.mark.browser

BAN = "Ban Tuyên giáo và Dân vận Tỉnh ủy Thử Nghiệm"
COMMUNES = ("Xã Đồng Hỷ Mới", "Phường Phan Đình Phùng Mới", "Xã Ân Phú Mới")


def _post_2025_conference(live_data) -> int:
    """Built here, not seeded: a province, its Ban with an officer, three communes; then a conference."""
    from danvan.auth.demo import DEMO_PASSWORD
    from danvan.auth.models import User
    from danvan.core.units import add_unit

    with live_data() as session:
        province = add_unit("Tỉnh ủy Thử Nghiệm Sau 2025", "tinh_uy", parent=None, code="TU")
        ban = add_unit(BAN, "ban", parent=province, code="BTGDVTU")
        for name in COMMUNES:
            add_unit(name, "xa", parent=province, code="ĐU")
        user = User(username="canbo.sau2025", full_name="Cán bộ sau 2025", unit=ban, active=True, session_epoch=1)
        user.set_password(DEMO_PASSWORD)
        user.set_roles(["officer"])
        user.refresh_search_key()
        session.add(user)
    return _conference(live_data, BAN)


def test_select_all_communes_in_the_post_2025_shape(page, login, live_data):
    conf_id = _post_2025_conference(live_data)
    login("canbo.sau2025")
    page.goto(f"/hoi-nghi/{conf_id}")
    points = page.locator("#points")
    points.locator("summary").click()
    expect(points.get_by_role("button", name="Chọn tất cả huyện", exact=False)).to_have_count(0)
    points.get_by_role("button", name="Chọn tất cả xã, phường, thị trấn").click()
    for name in COMMUNES:
        expect(points.get_by_label(name)).to_be_checked()
    expect(points.get_by_label("Tỉnh ủy Thử Nghiệm Sau 2025")).not_to_be_checked()
    points.get_by_role("button", name="Thêm các điểm cầu đã chọn").click()
    expect(page.locator("#point-rows tbody tr")).to_have_count(len(COMMUNES))

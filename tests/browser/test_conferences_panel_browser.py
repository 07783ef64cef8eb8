"""In a real browser: the dashboard's conferences panel leads an invited unit to confirm attendance."""
from __future__ import annotations

from datetime import time, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_invited_commune_confirms_from_the_dashboard(page, login, live_data):
    from danvan.conferences import contributions, participants, service
    from danvan.core.units import Unit
    from danvan.core.vntext import today_local

    with live_data() as session:
        bdv = session.scalar(sa.select(Unit).where(Unit.name == "Ban Dân vận Tỉnh ủy"))
        cho_ra = session.scalar(sa.select(Unit).where(Unit.name == "Thị trấn Chợ Rã"))
        from danvan.auth.models import User

        officer = session.scalar(sa.select(User).where(User.username == "canbo.bdv"))
        day = today_local() + timedelta(days=12)
        conf = service.create(bdv, {"kind": "chuyen_de", "title": "Hội nghị chuyên đề thử bảng việc",
                                    "day": day, "start": time(8), "end_day": None,
                                    "end": time(11)}, actor=officer)
        participants.add_invitees(conf, [cho_ra.id], actor=officer)
        contributions.invite_contributions(conf, [cho_ra.id], topic="Kinh nghiệm vận động hiến đất",
                                     deadline=day - timedelta(days=4), actor=officer)

    login("canbo.chora")
    panel = page.locator("#panel-conferences")
    expect(panel).to_contain_text("Hội nghị chuyên đề thử bảng việc")
    expect(panel).to_contain_text("Gửi tham luận: Kinh nghiệm vận động hiến đất")
    confirm_before = int(page.locator("#count-confirm").inner_text())
    panel.locator("li", has_text="Hội nghị chuyên đề thử bảng việc").get_by_role(
        "link", name="Xác nhận tham dự").click()
    page.get_by_label("Số đại biểu").fill("4")
    page.get_by_role("button", name="Lưu xác nhận").click()
    expect(page.locator("#flash")).to_contain_text("Tham dự")
    page.goto("/")
    expect(page.locator("#count-confirm")).to_have_text(str(confirm_before - 1))
    expect(page.locator("#panel-conferences")).to_contain_text("Tham dự: 4 đại biểu")

"""In a real browser: an invited commune opens the province's conference from its dashboard, reads it
without organiser controls and prints the programme."""
from __future__ import annotations

from datetime import time, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_invited_commune_reads_the_conference_page(page, login, live_data):
    from danvan.auth.models import User
    from danvan.conferences import agenda, participants, service
    from danvan.core.units import Unit
    from danvan.core.vntext import today_local

    with live_data() as session:
        bdv = session.scalar(sa.select(Unit).where(Unit.name == "Ban Dân vận Tỉnh ủy"))
        cho_ra = session.scalar(sa.select(Unit).where(Unit.name == "Thị trấn Chợ Rã"))
        officer = session.scalar(sa.select(User).where(User.username == "canbo.bdv"))
        conf = service.create(bdv, {"kind": "chuyen_de", "title": "Hội nghị chuyên đề đơn vị được mời đọc",
                                    "day": today_local() + timedelta(days=15), "start": time(8), "end_day": None,
                                    "end": time(11), "venue": "Hội trường Tỉnh ủy"}, actor=officer)
        participants.add_invitees(conf, [cho_ra.id], actor=officer)
        agenda.add_item(conf, start_time=time(8), content="Khai mạc hội nghị")

    login("canbo.chora")
    page.locator("#panel-conferences").get_by_role("link", name="Hội nghị chuyên đề đơn vị được mời đọc").click()
    expect(page.locator("h1")).to_have_text("Hội nghị chuyên đề đơn vị được mời đọc")
    expect(page.locator("#reader-note")).to_be_visible()
    expect(page.locator("#items")).to_contain_text("Khai mạc hội nghị")
    expect(page.locator("#invitees")).to_contain_text("Thị trấn Chợ Rã")
    expect(page.get_by_role("button", name="Cấp số, phát hành")).to_have_count(0)
    expect(page.get_by_role("link", name="Sửa")).to_have_count(0)
    href = page.locator("#documents tr", has_text="Chương trình hội nghị").get_by_role(
        "link", name="PDF").get_attribute("href")
    r = page.request.get(href)     # the session's cookies: printed inline as PDF
    assert r.status == 200 and r.body().startswith(b"%PDF-")

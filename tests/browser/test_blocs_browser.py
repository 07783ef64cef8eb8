"""Blocs: active search in the bloc list (htmx), a roster breaking the rules stays a draft with the reason."""
from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from danvan.blocs.models import Bloc, BlocMember
from danvan.core.units import Unit
from danvan.core.vntext import fold

pytestmark = pytest.mark.browser


@pytest.fixture
def blocs(live_data):
    out = {}
    with live_data() as session:
        for name, n in (("Xã Nam Mẫu", 6), ("Xã Bành Trạch", 7)):
            unit = session.scalar(sa.select(Unit).where(Unit.name == name))
            bloc = session.scalar(sa.select(Bloc).where(Bloc.unit_id == unit.id))
            if bloc is None:
                bloc = Bloc(unit=unit, name=f"Khối dân vận {name}", name_key=fold(f"Khối dân vận {name}"),
                            roster_state="draft")
                session.add(bloc)
                for i in range(n):
                    session.add(BlocMember(bloc=bloc, unit_id=unit.id, full_name=f"Thành viên {i + 1}",
                                           name_key=f"thanh vien {i + 1}", position="bi_thu" if i == 0 else "khac",
                                           is_head=i == 0, from_date=date(2023, 1, 1)))
            session.flush()
            out[name] = bloc.id
    return out


def test_bloc_search_and_roster_rule(page, login, blocs):
    login("canbo.babe")
    page.goto("/khoi-dan-van/")
    expect(page.locator("#bloc-rows")).to_contain_text("Khối dân vận Xã Bành Trạch")
    page.get_by_label("Tìm kiếm").fill("nam mau")
    expect(page.locator("#bloc-rows tbody tr")).to_have_count(1)
    expect(page.locator("#bloc-rows")).to_contain_text("Khối dân vận Xã Nam Mẫu")
    assert "q=nam" in page.url
    page.get_by_role("link", name="Khối dân vận Xã Nam Mẫu").click()
    page.get_by_role("button", name="Xác nhận danh sách").click()
    expect(page.locator("#flash")).to_contain_text("chỉ được lưu ở dạng bản nháp")
    expect(page.locator("#roster-problems")).to_contain_text("Khối mới có 06 thành viên; cần tối thiểu 07 thành viên.")
    page.get_by_role("link", name="+ Thêm thành viên").click()
    page.get_by_label("Họ và tên").fill("Hoàng Thị Mai")
    page.get_by_label("Chức vụ").select_option("hoi_phu_nu")
    page.get_by_role("button", name="Lưu").click()
    expect(page).to_have_url(re.compile(r"/khoi-dan-van/\d+$"))
    expect(page.locator("#roster")).to_contain_text("Hoàng Thị Mai")
    page.get_by_role("button", name="Xác nhận danh sách").click()
    expect(page.locator("#flash")).to_contain_text("Đã xác nhận danh sách")
    expect(page.locator("#roster-problems")).to_have_count(0)

"""Issue 16.14: the sơ kết draft names the communes under the lagging threshold — the level the heatmap
shows, read from the same summary — and keeps the formulas in an appendix (Phụ lục), not in the body."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from danvan.programme.models import Programme, Task, TaskGroup
from tests.test_programme import _report


@pytest.fixture
def lagging(world, db_session, create_unit):
    """Districts at or above 50 %, while communes lag: D1 = (100 + 0 + 40 + 60) / 4 = 50 %, D2 = 100 %."""
    p = Programme(unit=world.p, title="Đề án khối dân vận", title_key="de an", start_year=2023, end_year=2025,
                  lagging_below=Decimal(50))
    g = TaskGroup(programme=p, position=1, title="Nhóm lãnh đạo", weight=Decimal(1))
    t = Task(programme=p, group=g, position=1, title="Xây dựng chương trình năm", weight=Decimal(1),
             level="commune", starts_on=date(2023, 1, 1))
    db_session.add_all([p, g, t])
    db_session.flush()
    extra1 = create_unit("Xã Cao Thượng", "xa", world.d1)
    extra2 = create_unit("Xã Khang Ninh", "xa", world.d1)
    db_session.add_all([
        _report(t, world.c1, "nam", 2024, 1, "xong", 100),
        _report(t, world.c2, "nam", 2024, 1, "chua", 0),
        _report(t, extra1, "nam", 2024, 1, "dang", 40),
        _report(t, extra2, "nam", 2024, 1, "dang", 60),
        _report(t, world.c3, "nam", 2024, 1, "xong", 100),
    ])
    db_session.flush()
    return p


def _draft(client, programme, run_jobs) -> str:
    r = client.post_form(f"/de-an/{programme.id}/so-ket/du-thao")
    assert r.status_code == 303 and run_jobs() == ["done"]
    return client.get(r.headers["Location"]).get_data(as_text=True)


def test_soket_lists_the_lagging_communes_the_heatmap_shows(lagging, world, login_as, run_jobs):
    officer = login_as("officer", world.bdv)
    heat = officer.get(f"/de-an/{lagging.id}/ban-do-nhiet?level=unit&sort=lag").get_data(as_text=True)
    assert "Xã Nam Mẫu" in heat and "Xã Cao Thượng" in heat
    text = _draft(officer, lagging, run_jobs)
    section = text[text.index("III. ĐƠN VỊ CHẬM TIẾN ĐỘ"):text.index("IV. ĐÁNH GIÁ")]
    assert "Không có đơn vị nào dưới ngưỡng" not in section
    assert "2/5 đơn vị dưới ngưỡng" in section
    assert "Xã Nam Mẫu: 0,0 %" in section and "Xã Cao Thượng: 40,0 %" in section
    assert "Xã Khang Ninh" not in section and "Phường Xuất Hóa" not in section
    # the district level is still reported, and D1 at exactly 50 % is not under the threshold
    assert "Theo đơn vị trực thuộc" in section and "Huyện ủy Ba Bể:" not in section


def test_soket_keeps_formulas_in_the_appendix(lagging, world, login_as, run_jobs):
    officer = login_as("officer", world.bdv)
    text = _draft(officer, lagging, run_jobs)
    body, appendix = text.split("PHỤ LỤC: CÁCH TÍNH TIẾN ĐỘ")
    body = body[body.index("I. TÌNH HÌNH TRIỂN KHAI"):]
    assert "Σ" not in body and " / " not in body.split("II. KẾT QUẢ")[1].split("III.")[0]
    assert "Σ" in appendix and "Tiến độ chung của Đề án: (1,0×60,0) / 1,0 = 60,0 %" in appendix
    assert "Nhóm lãnh đạo: (1,0×60,0)" in appendix


def test_soket_says_no_lagging_unit_only_when_none_lags(lagging, world, login_as, run_jobs, db_session):
    lagging.lagging_below = Decimal(0)
    db_session.flush()
    officer = login_as("officer", world.bdv)
    section = _draft(officer, lagging, run_jobs).split("III. ĐƠN VỊ CHẬM TIẾN ĐỘ")[1].split("IV.")[0]
    assert section.count("không có đơn vị nào dưới ngưỡng") == 2

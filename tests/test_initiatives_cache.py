"""Dân vận khéo statistics are cached per data version: a registration written through HTTP shows at once."""
from __future__ import annotations

import re

import sqlalchemy as sa

from danvan.extensions import db
from danvan.initiatives.models import Initiative
from tests.test_initiatives import BASE, form_data, messages


def _summary(client) -> str:
    text = messages(client.get(f"{BASE}/tong-hop?year=2024"))
    return re.search(r"\d+ mô hình đã đăng ký.*?\.", text).group(0)


def test_statistics_never_stale_after_a_registration(world, login_as, count_queries):
    viewer = login_as("viewer", world.bdv)
    before = _summary(viewer)
    assert before.startswith("0 mô hình đã đăng ký") and "bản nháp" not in before
    with count_queries() as warm:
        assert _summary(viewer) == before
    officer = login_as("officer", world.c1)
    assert officer.post_form(f"{BASE}/moi", form_data(world, world.c1)).status_code == 303
    assert "1 bản nháp chưa gửi" in _summary(viewer)                  # the draft counts at once
    obj = db.session.scalar(sa.select(Initiative))
    assert officer.post_form(f"{BASE}/{obj.id}/chuyen", {"transition": "submit"}).status_code == 303
    after = _summary(viewer)
    assert after.startswith("1 mô hình đã đăng ký") and "bản nháp" not in after
    with count_queries() as cold_after_write:
        viewer.get(f"{BASE}/tong-hop?year=2023")                         # another year: computed
    assert warm.count < cold_after_write.count


def test_list_and_search_never_stale_and_the_fragment_is_cheaper(world, login_as, count_queries):
    """The list and its htmx search fragment are cached per scope, filters and data version: a
    registration, an edit and a unit's new name show at once; the fragment holds only the toolbar,
    rows and pager, and when warm costs fewer statements than the page."""
    leader = login_as("leader", world.bdv)
    htmx = {"HX-Request": "true"}
    search = f"{BASE}/?q=nong+thon+moi&year=2024"
    assert "Không có mô hình nào khớp bộ lọc" in messages(leader.get(search, headers=htmx))
    officer = login_as("officer", world.c1)
    assert officer.post_form(f"{BASE}/moi", form_data(world, world.c1)).status_code == 303
    obj = db.session.scalar(sa.select(Initiative))
    found = leader.get(search, headers=htmx)
    html = found.get_data(as_text=True)
    assert "Dân vận khéo trong xây dựng nông thôn mới" in html and "Phường Xuất Hóa" in html
    assert 'id="initiative-filters"' not in html and "<nav" not in html.split('id="initiative-rows"')[0]
    assert "Hiển thị 1–1 / 1" in messages(found)
    # an edit through HTTP: the list follows (the old name no longer matches the search)
    r = officer.post_form(f"{BASE}/{obj.id}/sua", form_data(world, world.c1, name="Mô hình camera an ninh",
                                                               version=str(obj.version)))
    assert r.status_code == 303, r.get_data(as_text=True)[:300]
    assert "Không có mô hình nào khớp bộ lọc" in messages(leader.get(search, headers=htmx))
    page = messages(leader.get(f"{BASE}/?q=camera"))
    assert "Mô hình camera an ninh" in page and "Phường Xuất Hóa" in page
    world.c1.name = "Phường Xuất Hóa Mới"                     # the unit tree: the new name shows
    db.session.flush()
    assert "Phường Xuất Hóa Mới" in messages(leader.get(f"{BASE}/?q=camera", headers=htmx))
    # warm: the fragment reads no registration, and costs fewer statements than the page
    with count_queries() as fragment:
        leader.get(f"{BASE}/?q=camera", headers=htmx)
    with count_queries() as full:
        leader.get(f"{BASE}/?q=camera")
    assert not any("FROM initiative" in s for s in fragment.statements), fragment.statements
    assert fragment.count < full.count


def _options(html: str, name: str) -> list[str]:
    """The labels of the filter bar's select `name`."""
    select = re.search(rf'<select name="{name}">(.*?)</select>', html, re.S).group(1)
    return re.findall(r">([^<]+)</option>", select)


def test_filter_bar_is_cached_and_never_stale(world, login_as, count_queries):
    """Fields, kinds, units and years of the list's filter bar are cached per scope and data version:
    a field configured, a unit created and a registration in a new year show at once (HTTP writes)."""
    leader = login_as("leader", world.bdv)
    admin = login_as("admin", world.bdv)
    page = leader.get(f"{BASE}/").get_data(as_text=True)
    assert "Chuyển đổi số" not in _options(page, "field_id")
    assert "Xã Mới Lập" not in _options(page, "unit_id") and "2019" not in _options(page, "year")
    with count_queries() as warm:
        assert leader.get(f"{BASE}/").status_code == 200
    assert not any("FROM initiative_field" in s or "DISTINCT initiative.year" in s for s in warm.statements), \
        warm.statements
    assert admin.post_form(f"{BASE}/cau-hinh/muc", {"what": "field", "name": "Chuyển đổi số"}).status_code == 303
    assert "Chuyển đổi số" in _options(leader.get(f"{BASE}/").get_data(as_text=True), "field_id")
    r = admin.post_form("/don-vi/moi", {"name": "Xã Mới Lập", "kind": "xa", "code": "ĐU", "parent_id": world.d1.id,
                                        "valid_from": "2024-01-01"})
    assert r.status_code == 303, r.get_data(as_text=True)[:300]
    assert "Xã Mới Lập" in " ".join(_options(leader.get(f"{BASE}/").get_data(as_text=True), "unit_id"))
    officer = login_as("officer", world.c1)
    assert officer.post_form(f"{BASE}/moi", form_data(world, world.c1, year="2019")).status_code == 303
    assert "2019" in _options(leader.get(f"{BASE}/").get_data(as_text=True), "year")

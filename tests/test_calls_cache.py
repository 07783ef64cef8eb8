"""The call tracking page and the calls list are cached per data version: every write that changes who
filed, a deadline or a unit's name shows on the next read, through HTTP; the cache really serves."""
from __future__ import annotations

import re
from datetime import timedelta

from danvan import calls
from danvan.core.vntext import today_local
from danvan.extensions import db
from danvan.initiatives import registration
from tests.samples.initiatives import make_initiative

TODAY = today_local()


def _row(html: str, name: str) -> str:
    """The text of the tracking row of a unit."""
    found = re.search(rf"<tr>\s*<td class=\"num\">\d+</td>\s*<td>{re.escape(name)}</td>.*?</tr>", html, re.S)
    assert found, name
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0)))


def test_a_write_shows_at_once_on_the_cached_tracking_and_list(world, login_as, count_queries, app):
    leader = login_as("leader", world.d1b)
    call = calls.create_call(world.d1b, {"title": "Đăng ký mô hình mới", "kind": registration.CALL_KIND,
                                         "year": TODAY.year, "deadline": TODAY}, [world.c1, world.c2],
                             actor=leader.user, notify=False)
    page = leader.get(f"/yeu-cau/{call.id}").get_data(as_text=True)
    assert "Chưa nộp" in _row(page, "Phường Xuất Hóa") and "0/2 đơn vị đã nộp" in page
    assert "0/2 đơn vị đã nộp" in leader.get("/yeu-cau/").get_data(as_text=True)
    # served from the cache: the tracking rows are not read again
    with count_queries() as q:
        leader.get(f"/yeu-cau/{call.id}")
        leader.get("/yeu-cau/")
    assert not any("call_submission" in s for s in q.statements), q.statements

    # a commune answers through HTTP: tracking row, summary and list counts follow
    obj = make_initiative(world.c1, year=TODAY.year)
    commune = login_as("officer", world.c1)
    assert commune.post_form(f"/dan-van-kheo/{obj.id}/chuyen", {"transition": "submit"}).status_code == 303
    page = leader.get(f"/yeu-cau/{call.id}").get_data(as_text=True)
    assert "Đã nộp đúng hạn" in _row(page, "Phường Xuất Hóa") and f'href="/dan-van-kheo/{obj.id}"' in page
    assert "1/2 đơn vị đã nộp" in page
    assert "1/2 đơn vị đã nộp" in leader.get("/yeu-cau/").get_data(as_text=True)

    # an extension through HTTP
    later = (TODAY + timedelta(days=7)).strftime("%d/%m/%Y")
    r = leader.post_form(f"/yeu-cau/{call.id}/gia-han", {"unit_id": world.c2.id, "extended_until": later})
    assert r.status_code == 303
    assert "(gia hạn)" in _row(leader.get(f"/yeu-cau/{call.id}").get_data(as_text=True), "Xã Nam Mẫu")

    # the unit tree: a renamed commune shows under its new name
    world.c2.name = "Xã Nam Mẫu Mới"
    db.session.flush()
    page = leader.get(f"/yeu-cau/{call.id}").get_data(as_text=True)
    assert "(gia hạn)" in _row(page, "Xã Nam Mẫu Mới")


def test_tracking_rows_are_paged(world, login_as, create_unit):
    """A call to a whole country's communes shows them a page at a time (htmx pager), numbered on."""
    leader = login_as("leader", world.d1b)
    communes = [create_unit(f"Xã Trang {i:02d}", "xa", world.d1) for i in range(1, 31)]
    call = calls.create_call(world.d1b, {"title": "Báo cáo năm", "type_code": "BC", "deadline": TODAY},
                             communes, actor=leader.user, notify=False)
    first = leader.get(f"/yeu-cau/{call.id}").get_data(as_text=True)
    assert first.count('<td class="num">') == 25 and "Hiển thị 1–25 / 30" in first and "Xã Trang 25" in first
    assert "Xã Trang 26" not in first and "0/30 đơn vị đã nộp" in first
    second = leader.get(f"/yeu-cau/{call.id}?page=2", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert second.lstrip().startswith('<section class="panel" id="tracking">') and "<html" not in second
    assert second.count('<td class="num">') == 5 and '<td class="num">26</td>' in second
    assert "Xã Trang 30" in second and "Xã Trang 01" not in second
    missing = leader.get(f"/yeu-cau/{call.id}?trang_thai=missing&page=2").get_data(as_text=True)
    assert "Hiển thị 26–30 / 30" in missing


def test_a_deadline_change_shows_at_once_in_the_history_of_the_cached_tracking(world, login_as, count_queries):
    """The tracking page reads the deadline history only when the call has some (a count cached with the
    rows): a change through HTTP shows on the next read, with its reason and author."""
    leader = login_as("leader", world.d1b, full_name="Hoàng Thị Lan")
    call = calls.create_call(world.d1b, {"title": "Báo cáo quý", "type_code": "BC", "deadline": TODAY},
                             [world.c1, world.c2], actor=leader.user, notify=False)
    assert 'id="deadline-history"' not in leader.get(f"/yeu-cau/{call.id}").get_data(as_text=True)
    with count_queries() as q:
        assert leader.get(f"/yeu-cau/{call.id}").status_code == 200
    assert not any("call_change" in s or "call_submission" in s for s in q.statements), q.statements
    later = (TODAY + timedelta(days=10)).strftime("%d/%m/%Y")
    r = leader.post_form(f"/yeu-cau/{call.id}/doi-han", {"deadline": later, "reason": "Chờ số liệu quý"})
    assert r.status_code == 303
    page = leader.get(f"/yeu-cau/{call.id}").get_data(as_text=True)
    history = page.split('id="deadline-history"', 1)[1]
    assert "Chờ số liệu quý" in history and "Hoàng Thị Lan" in history and later in history
    assert later in page.split('id="call-deadline"', 1)[1].split("</dd>", 1)[0]

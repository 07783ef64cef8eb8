"""The conferences panel on the dashboard ("/"): organiser and invited commune, scope, constant queries."""
from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from danvan.conferences.models import Conference, ConferenceContribution, ConferenceInvitee, ConferencePoint
from danvan.core.cache import cache
from danvan.core.vntext import fmt_date, now_utc, today_local
from danvan.extensions import db
from tests.samples.conferences import make_conference


def _count(html: str, key: str) -> int | None:
    match = re.search(rf'id="count-{key}"[^>]*>(\d+)<', html)
    return int(match.group(1)) if match else None


def _conference(organiser, title: str, *, days: int = 10, invited=(), points=(), papers=(), sent=()) -> Conference:
    start = now_utc() + timedelta(days=days)
    conf = make_conference(organiser, title=title, starts_at=start, ends_at=start + timedelta(hours=3))
    conf.invitees.extend(ConferenceInvitee(unit=u, addressee=f"Đại diện lãnh đạo {u.name}") for u in invited)
    conf.points.extend(ConferencePoint(unit=u, venue=f"Hội trường {u.name}") for u in points)
    deadline = today_local() + timedelta(days=max(0, days - 3))
    conf.contributions.extend(ConferenceContribution(unit=u, topic="Kinh nghiệm dân vận khéo", deadline=deadline)
                              for u in papers)
    conf.contributions.extend(ConferenceContribution(unit=u, topic="Mô hình tiêu biểu", deadline=deadline,
                                                     state="submitted", title=f"Tham luận của {u.name}",
                                                     submitted_at=now_utc()) for u in sent)
    db.session.flush()
    return conf


def test_invited_commune_sees_what_to_do_and_does_it(world, login_as):
    conf = _conference(world.bdv, "Hội nghị tổng kết phong trào “Dân vận khéo”", invited=[world.c1, world.c3],
                       points=[world.c1], papers=[world.c1])
    inv = next(i for i in conf.invitees if i.unit_id == world.c1.id)
    paper = conf.contributions[0]
    commune = login_as("officer", world.c1)
    page = commune.get("/").get_data(as_text=True)
    assert 'id="panel-conferences"' in page and "Hội nghị tổng kết phong trào “Dân vận khéo”" in page
    assert (_count(page, "confirm"), _count(page, "send")) == (1, 1)
    assert f"/hoi-nghi/khach-moi/{inv.id}/xac-nhan" in page
    assert f"/hoi-nghi/tham-luan/{paper.id}" in page and f"hạn {fmt_date(paper.deadline)}" in page
    assert "Điểm cầu: Hội trường Phường Xuất Hóa" in page
    assert f"/hoi-nghi/{conf.id}\"" in page                # the commune reads the conference (read-only)
    assert commune.get(f"/hoi-nghi/{conf.id}").status_code == 200
    # confirming attendance through the link clears the action
    r = commune.post_form(f"/hoi-nghi/khach-moi/{inv.id}/xac-nhan", {"status": "confirmed", "delegates": "3"})
    assert r.status_code == 303
    page = commune.get("/").get_data(as_text=True)
    assert _count(page, "confirm") == 0 and "Tham dự: 3 đại biểu" in page
    # a sibling commune and another district's commune see nothing of C1's invitation
    assert 'id="panel-conferences"' not in login_as("officer", world.c2).get("/").get_data(as_text=True)
    other = login_as("officer", world.c3).get("/").get_data(as_text=True)
    assert _count(other, "confirm") == 1 and _count(other, "send") == 0
    assert f"/hoi-nghi/khach-moi/{inv.id}/" not in other


def test_viewer_sees_state_but_no_action(world, login_as):
    _conference(world.bdv, "Hội nghị sơ kết", invited=[world.c1], sent=[world.c2])
    page = login_as("viewer", world.c1).get("/").get_data(as_text=True)
    assert _count(page, "confirm") == 1 and "Chưa xác nhận tham dự" in page and "/xac-nhan" not in page
    organiser_viewer = login_as("viewer", world.bdv).get("/").get_data(as_text=True)
    assert _count(organiser_viewer, "review") is None and "Xem xét tham luận" not in organiser_viewer


def test_organiser_sees_replies_and_tham_luan_to_review(world, login_as):
    conf = _conference(world.bdv, "Hội nghị trực tuyến sơ kết 6 tháng", invited=[world.c1, world.c2],
                       points=[world.p, world.d1], papers=[world.c1], sent=[world.c2, world.c3])
    conf.invitees[0].status, conf.invitees[0].delegates = "confirmed", 12
    _conference(world.bdv, "Hội nghị đã qua", days=-10, sent=[world.c1])          # past: not on the panel
    archived = _conference(world.bdv, "Hội nghị đã lưu trữ", sent=[world.c1])
    archived.archived_at = now_utc()
    _conference(world.d2, "Hội nghị của Huyện ủy Chợ Đồn", sent=[world.c3])     # another organiser
    organiser = login_as("officer", world.bdv)
    page = organiser.get("/").get_data(as_text=True)
    assert _count(page, "review") == 2 and _count(page, "confirm") == 0 and _count(page, "send") == 0
    assert f"/hoi-nghi/{conf.id}\"" in page
    assert "Xác nhận tham dự 1/2 đơn vị, 12 đại biểu; tham luận đã nhận 0/3" in page
    assert "Xem xét tham luận của Xã Nam Mẫu" in page and "Xem xét tham luận của Thị trấn Bằng Lũng" in page
    for hidden in ("Hội nghị đã qua", "Hội nghị đã lưu trữ", "Hội nghị của Huyện ủy Chợ Đồn"):
        assert hidden not in page
    # the district organising its own conference reviews its own; it is only a điểm cầu of the province's
    district = login_as("officer", world.d1b).get("/").get_data(as_text=True)
    assert _count(district, "review") == 0 and "Điểm cầu: Hội trường Huyện ủy Ba Bể" in district


def test_dashboard_queries_do_not_grow_with_conferences(world, login_as, count_queries):
    organiser = login_as("officer", world.bdv)
    commune = login_as("officer", world.c1)

    def measure(client) -> int:
        cache.clear()   # every panel computed, not served from the cache: the most the page runs
        with count_queries() as q:
            assert client.get("/").status_code == 200
        return q.count

    def add(n: int) -> None:
        for i in range(n):
            _conference(world.bdv, f"Hội nghị {i}", days=5 + i, invited=[world.c1, world.c2], points=[world.c1],
                        papers=[world.c1], sent=[world.c2])

    add(1)
    small = (measure(organiser), measure(commune))
    add(6)
    large = (measure(organiser), measure(commune))
    assert large == small, (small, large)
    print("queries on / (organiser, commune):", small)
    page = commune.get("/").get_data(as_text=True)
    assert (_count(page, "confirm"), _count(page, "send")) == (7, 7)
    assert db.session.scalar(sa.select(sa.func.count(Conference.id))) == 7

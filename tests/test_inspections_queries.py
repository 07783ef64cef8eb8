"""Constant queries: the overview, the visit list, the recommendations list and the dashboard
run the same number of statements with 2 visits or 12 (spread over several units)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from danvan.extensions import db
from danvan.inspections.models import Recommendation
from tests.samples.inspections import make_inspection

PAGES = ["/kiem-tra/tong-quan", "/kiem-tra/tong-quan?year=2026", "/kiem-tra/", "/kiem-tra/kien-nghi/",
         "/kiem-tra/kien-nghi/?status=overdue", "/"]


def _add_visits(world, n: int, start: int) -> None:
    units = [world.c1, world.c2, world.c3, world.d1, world.e]
    verdicts = ["dat", "chua_dat", "dat_mot_phan", "khong_ap_dung"]
    for i in range(start, start + n):
        insp = make_inspection(world.p, units[i % len(units)], state="issued",
                               day=date(2026, 1, 5) + timedelta(days=i))
        insp.state = "concluded" if i % 2 else "visited"
        for j, row in enumerate(insp.results_rows):
            row.verdict = verdicts[(i + j) % len(verdicts)]
        for k in range(2):
            db.session.add(Recommendation(inspection=insp, organiser_id=insp.organiser_id, unit=insp.unit,
                                          text=f"Kiến nghị {i}.{k}",
                                          deadline=date(2026, 2, 1) + timedelta(days=k * 400),
                                          state="open" if k else "reported"))
    db.session.flush()


@pytest.mark.parametrize("path", PAGES)
def test_constant_queries(app, world, login_as, count_queries, path):
    from danvan.core.cache import cache

    leader = login_as("leader", world.bdv)
    _add_visits(world, 2, 0)
    leader.get(path)   # warm-up: first-request work (templates, default checklist) is not the page's
    with app.app_context():
        cache.clear()   # both measurements compute the dashboard panels (cached per data version)
    with count_queries() as small:
        assert leader.get(path).status_code == 200
    _add_visits(world, 10, 2)
    with app.app_context():
        cache.clear()
    with count_queries() as large:
        page = leader.get(path)
    assert page.status_code == 200
    assert large.count == small.count, large.statements[small.count:]


@pytest.mark.parametrize("path", PAGES[:5])
def test_cached_pages_stay_constant_and_cheap(app, world, login_as, count_queries, path):
    """Issue 14: at most 15 statements with an empty cache; with a warm one, the same few whether
    2 visits or 12, and the 10 added visits (a write) are computed again, not served stale."""
    from danvan.core.cache import cache

    leader = login_as("leader", world.bdv)
    _add_visits(world, 2, 0)
    leader.get(path)
    with app.app_context():
        cache.clear()
    with count_queries() as cold:
        small_page = leader.get(path).get_data(as_text=True)
    with count_queries() as small:
        assert leader.get(path).get_data(as_text=True) == small_page
    _add_visits(world, 10, 2)
    with count_queries() as recomputed:
        large_page = leader.get(path).get_data(as_text=True)
    with count_queries() as large:
        assert leader.get(path).status_code == 200
    assert cold.count <= 15 and recomputed.count == cold.count, recomputed.statements
    assert large.count == small.count < cold.count, large.statements
    assert large_page != small_page

"""Blocs as new users meet them (issue 16.15–16): scores with a decimal comma, history in
Vietnamese, the evaluations list opening on a year that has sheets."""
from __future__ import annotations

import re
from decimal import Decimal

from danvan.core.vntext import today_local
from tests.test_blocs import SIX, _bloc, _evaluation, _set


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_scores_and_thresholds_with_decimal_comma_and_history_in_vietnamese(world, login_as, db_session):
    bloc = _bloc(db_session, world.c1, SIX)
    cs = _set(db_session, world.p, points=(60, 40))
    ev = _evaluation(db_session, bloc, cs, 2025)
    c1, c2 = (c.id for c in cs.criteria)
    district = login_as("leader", world.d1b)
    r = district.post_form(f"/khoi-dan-van/danh-gia/{ev.id}/cham",
                           {f"score_{c1}": "55", f"score_{c2}": "26,2", "version": str(ev.version)})
    assert r.status_code == 303, r.get_data(as_text=True)[:1500]
    db_session.refresh(ev)
    assert ev.final_total == Decimal("81.2")
    page = text(district.get(f"/khoi-dan-van/danh-gia/{ev.id}"))
    assert "81,2" in page and "81.2" not in page and "26,2" in page
    assert "≥ 90;" in page.replace(" ;", ";") and "90.00" not in page
    assert "Đã chấm, xếp loại" in page
    assert not re.search(r"\b(submitted|scored|draft|returned)\b", page)
    rows = text(district.get("/khoi-dan-van/danh-gia?year=2025"))
    assert "81,2" in rows and "81.2" not in rows
    sets = text(login_as("viewer", world.p).get("/khoi-dan-van/tieu-chi"))
    assert "≥ 90 / ≥ 70 / ≥ 50" in sets and "90.00" not in sets


def test_evaluations_list_opens_on_a_year_that_has_sheets_in_scope(world, login_as, db_session):
    this_year = today_local().year
    cs = _set(db_session, world.p)
    _evaluation(db_session, _bloc(db_session, world.c1, SIX), cs, this_year - 2)
    _evaluation(db_session, _bloc(db_session, world.c3, SIX), cs, this_year - 1)  # other district
    district = login_as("viewer", world.d1b)
    page = district.get("/khoi-dan-van/danh-gia").get_data(as_text=True)
    assert f'name="year" value="{this_year - 2}"' in page and "Khối dân vận Phường Xuất Hóa" in page
    province = login_as("viewer", world.p).get("/khoi-dan-van/danh-gia").get_data(as_text=True)
    assert f'name="year" value="{this_year - 1}"' in province and "Thị trấn Bằng Lũng" in province
    # A year asked for explicitly is kept, even an empty one.
    empty = district.get(f"/khoi-dan-van/danh-gia?year={this_year}").get_data(as_text=True)
    assert f'name="year" value="{this_year}"' in empty and "Khối dân vận Phường Xuất Hóa" not in empty

"""Issue 16.22: «theo cơ cấu hiện tại» — statistics, the heatmap and call tracking can show a unit formed by
a merge with its predecessors' past, through one switch (core/structure.py); by default the old units keep
their own records. The post-2025 shape: communes directly under the province."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from danvan.calls.models import Call, CallSubmission, CallTarget
from danvan.core.units import Unit
from danvan.programme.models import Programme, Task, TaskGroup
from tests.samples.initiatives import make_initiative
from tests.test_programme import _report

SUCCESSOR = "Xã Kế Thừa"


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


@pytest.fixture
def merged(world, login_as, db_session, create_unit):
    """Two communes under the province, each with a report, a registration and an answer to a call, then merged."""
    a1 = create_unit("Xã Cũ Một", "xa", world.p)
    a2 = create_unit("Xã Cũ Hai", "xa", world.p)
    p = Programme(unit=world.p, title="Đề án", title_key="de an", start_year=2023, end_year=2025,
                  lagging_below=Decimal(50))
    g = TaskGroup(programme=p, position=1, title="Nhóm một", weight=Decimal(1))
    t = Task(programme=p, group=g, position=1, title="Nhiệm vụ xã", weight=Decimal(1), level="commune",
             starts_on=date(2023, 1, 1))
    db_session.add_all([p, g, t, _report(t, a1, "nam", 2024, 1, "dang", 80),
                        _report(t, a2, "nam", 2024, 1, "dang", 40)])
    for i in range(3):
        make_initiative(a1, year=2024, name=f"Mô hình {i}", state="submitted")
    make_initiative(a2, year=2024, name="Mô hình khác", state="recognised")
    call = Call(unit=world.bdv, title="Báo cáo năm 2024", search_key="bao cao", kind="report", year=2024,
                deadline=date(2024, 12, 15))
    call.targets = [CallTarget(unit_id=a1.id), CallTarget(unit_id=a2.id)]
    db_session.add(call)
    db_session.flush()
    db_session.add(CallSubmission(call_id=call.id, unit_id=a1.id, object_type="Document", object_id=1,
                                  state="submitted", submitted_at=datetime(2024, 12, 1, 3, tzinfo=UTC)))
    db_session.flush()
    admin = login_as("admin", world.bdv)
    assert admin.post_form("/don-vi/sap-nhap", {"unit_ids": [a1.id, a2.id], "name": SUCCESSOR, "code": "ĐU",
                                                 "parent_id": world.p.id, "on": "01/07/2025"}).status_code == 303
    successor = db_session.scalar(sa.select(Unit).where(Unit.name == SUCCESSOR))
    return dict(programme=p, call=call, successor=successor, a1=a1, a2=a2,
                reader=login_as("leader", world.bdv))


def test_heatmap_folds_predecessors_reports_into_the_successor(merged):
    reader, p = merged["reader"], merged["programme"]
    url = f"/de-an/{p.id}/ban-do-nhiet?level=unit"
    plain = text(reader.get(url))
    assert f"{SUCCESSOR} 0,0 % 0,0 % 1/1" in plain         # own records only: nothing reported yet
    assert "Xem theo cơ cấu hiện tại" in plain
    current = reader.get(url + "&co_cau=hien_tai")
    body = text(current)
    assert f"{SUCCESSOR} 60,0 % 60,0 %" in body            # (80 + 40) / 2 from the merged communes
    assert "Đang xem theo cơ cấu hiện tại" in body
    assert 'name="co_cau" value="hien_tai" form="heat-filters"' in current.get_data(as_text=True)
    # htmx fragment too, and the default is unchanged afterwards (separate cache entries)
    assert f"{SUCCESSOR} 60,0 %" in text(reader.hx_get(url + "&co_cau=hien_tai"))
    assert f"{SUCCESSOR} 0,0 %" in text(reader.get(url))


def test_statistics_count_merged_registrations_for_the_successor(merged):
    reader = merged["reader"]
    plain = text(reader.get("/dan-van-kheo/tong-hop?year=2024"))
    assert not re.search(rf"{SUCCESSOR} [1-9]", plain)
    current = reader.get("/dan-van-kheo/tong-hop?year=2024&co_cau=hien_tai")
    body = text(current)
    assert re.search(rf"{SUCCESSOR} 4 4 0 1 ", body), body[body.find(SUCCESSOR) - 50:body.find(SUCCESSOR) + 80]
    # choosing another year keeps the switch: the year form carries it
    assert 'name="co_cau" value="hien_tai" form="stats-filters"' in current.get_data(as_text=True)
    assert 'id="stats-filters"' in current.get_data(as_text=True)


def test_call_tracking_shows_the_successor_with_its_predecessors(merged):
    reader, call = merged["reader"], merged["call"]
    plain = text(reader.get(f"/yeu-cau/{call.id}"))
    assert "Xã Cũ Một" in plain and "Xã Cũ Hai" in plain and "1/2 đơn vị đã nộp" in plain
    body = text(reader.get(f"/yeu-cau/{call.id}?co_cau=hien_tai"))
    assert f"{SUCCESSOR} (gồm Xã Cũ Một, Xã Cũ Hai)" in body
    assert "1/1 đơn vị đã nộp" in body and "Đã nộp đúng hạn" in body
    assert "co_cau=hien_tai" in reader.get(f"/yeu-cau/{call.id}?co_cau=hien_tai").get_data(as_text=True)


def test_switch_ignores_other_values(merged):
    reader, p = merged["reader"], merged["programme"]
    body = text(reader.get(f"/de-an/{p.id}/ban-do-nhiet?level=unit&co_cau=khac"))
    assert f"{SUCCESSOR} 0,0 %" in body and "Xem theo cơ cấu hiện tại" in body


def test_switch_link_survives_query_strings_that_repeat_path_arguments(merged):
    reader, call = merged["reader"], merged["call"]
    response = reader.get(f"/yeu-cau/{call.id}?call_id=abc&_external=1&co_cau=hien_tai")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    switch = html[html.index('id="structure-toggle"'):]
    assert f'href="/yeu-cau/{call.id}">Xem theo đơn vị tại thời điểm phát sinh' in switch

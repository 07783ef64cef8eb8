"""Calls as a mechanism of their own: what a call asks for is a kind a feature registered, the
year is explicit, and each feature's objects answer the calls of its kind and year (never by
matching titles)."""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from danvan import calls
from danvan.core.vntext import today_local
from danvan.initiatives import registration, statistics
from danvan.programme.models import Programme, ProgressReport, Task, TaskGroup
from tests.test_initiatives import make_initiative

TODAY = today_local()


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def _fmt(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def test_registration_answers_the_call_of_its_year_whatever_the_titles(world, login_as):
    leader = login_as("leader", world.d1b)
    year = TODAY.year
    # The title names no year; another call's title names this year but the call is for next year.
    plain = calls.create_call(world.d1b, {"title": "Đăng ký mô hình mới", "kind": registration.CALL_KIND,
                                          "year": year, "deadline": TODAY}, [world.c1, world.c2],
                              actor=leader.user, notify=False)
    misleading = calls.create_call(world.d1b, {"title": f"Đăng ký mô hình Dân vận khéo năm {year}",
                                               "kind": registration.CALL_KIND, "year": year + 1,
                                               "deadline": TODAY}, [world.c1], actor=leader.user, notify=False)
    documents_call = calls.create_call(world.d1b, {"title": f"Báo cáo năm {year}", "type_code": "BC",
                                                   "year": year, "deadline": TODAY}, [world.c1],
                                       actor=leader.user, notify=False)
    obj = make_initiative(world.c1, year=year)
    commune = login_as("officer", world.c1)
    assert commune.post_form(f"/dan-van-kheo/{obj.id}/chuyen", {"transition": "submit"}).status_code == 303
    assert calls.target_rows(plain)[world.c1.id].status == "on_time"
    assert calls.target_rows(plain)[world.c2.id].status == "missing"
    assert calls.target_rows(misleading)[world.c1.id].status == "missing"
    assert calls.target_rows(documents_call)[world.c1.id].status == "missing"
    # The tracking page links to the registration that answered.
    page = leader.get(f"/yeu-cau/{plain.id}").get_data(as_text=True)
    assert f'href="/dan-van-kheo/{obj.id}"' in page
    # The committee's statistics find the call by kind and year.
    assert statistics.call_issued_by(world.d1, year).id == plain.id
    assert statistics.call_issued_by(world.d1, year + 1).id == misleading.id
    assert statistics.call_issued_by(world.d1, year - 1) is None


def test_every_call_says_what_it_asks_for_in_vietnamese(world, login_as):
    issuer = login_as("officer", world.d1b)
    form = _text(issuer.get("/yeu-cau/moi"))
    for label in ("Văn bản (kế hoạch, báo cáo…)", "Đăng ký mô hình “Dân vận khéo”",
                  "Báo cáo tiến độ thực hiện Đề án"):
        assert label in form
    call = calls.create_call(world.d1b, {"title": "Đăng ký năm sau", "kind": registration.CALL_KIND,
                                         "year": TODAY.year + 1, "deadline": TODAY}, [world.c1],
                             actor=issuer.user, notify=False)
    report = calls.create_call(world.d1b, {"title": "Báo cáo quý", "type_code": "BC", "deadline": TODAY},
                               [world.c1], actor=issuer.user, notify=False)
    page = _text(issuer.get(f"/yeu-cau/{call.id}"))
    assert f"Yêu cầu nộp Đăng ký mô hình “Dân vận khéo” Năm {TODAY.year + 1}" in page
    assert "Văn bản (kế hoạch, báo cáo…): Báo cáo" in _text(issuer.get(f"/yeu-cau/{report.id}"))
    listing = _text(issuer.get("/yeu-cau/"))
    assert f"Đăng ký mô hình “Dân vận khéo” — năm {TODAY.year + 1}" in listing
    # A target is offered the kind's own way to answer: documents only.
    target = login_as("officer", world.c1)
    assert "Soạn văn bản trả lời" in _text(target.get(f"/yeu-cau/{report.id}"))
    assert "Soạn văn bản trả lời" not in _text(target.get(f"/yeu-cau/{call.id}"))


def test_call_year_through_the_form(world, login_as, db_session):
    issuer = login_as("officer", world.d1b)
    base = {"title": "Đăng ký Dân vận khéo", "kind": registration.CALL_KIND, "type_code": "",
            "deadline": _fmt(TODAY + timedelta(days=3)), "target_mode": "reporting"}
    for bad, message in (("abc", "Phải là số nguyên."), ("1999", "Năm phải trong khoảng 2000–2100.")):
        r = issuer.post_form("/yeu-cau/moi", {**base, "year": bad})
        assert r.status_code == 422 and message in r.get_data(as_text=True), bad
    r = issuer.post_form("/yeu-cau/moi", {**base, "kind": "khong_co"})
    assert r.status_code == 422 and "Lựa chọn không hợp lệ" in r.get_data(as_text=True)
    assert db_session.scalar(sa.select(sa.func.count(calls.Call.id))) == 0
    assert issuer.post_form("/yeu-cau/moi", {**base, "year": str(TODAY.year + 1)}).status_code == 303
    assert issuer.post_form("/yeu-cau/moi", {**base, "title": "Không ghi năm"}).status_code == 303
    years = dict(db_session.execute(sa.select(calls.Call.title, calls.Call.year)).all())
    assert years == {"Đăng ký Dân vận khéo": TODAY.year + 1,
                     "Không ghi năm": (TODAY + timedelta(days=3)).year}   # the deadline's year


def test_programme_progress_reports_answer_progress_calls(world, login_as, db_session):
    from danvan.programme import service as programme

    p = Programme(unit=world.p, title="Đề án gọi nộp", title_key="de an goi nop", start_year=2023, end_year=2030,
                  lagging_below=Decimal(50))
    group = TaskGroup(programme=p, position=1, title="Nhóm", weight=Decimal(1))
    task = Task(programme=p, group=group, position=1, title="Đối thoại", weight=Decimal(1), level="commune",
                starts_on=date(2023, 1, 1), target=Decimal(10), unit_of_measure="cuộc")
    db_session.add_all([p, group, task])
    db_session.flush()
    leader = login_as("leader", world.d1b)
    year = TODAY.year
    call = calls.create_call(world.d1b, {"title": "Tiến độ Đề án", "kind": programme.CALL_KIND, "year": year,
                                         "deadline": TODAY}, [world.c1, world.c2], actor=leader.user, notify=False)
    officer = login_as("officer", world.c1)
    r = officer.post_form(f"/de-an/nhiem-vu/{task.id}/bao-cao/moi",
                          {"period_kind": "nam", "year": str(year), "number": "1", "status": "dang", "value": "4",
                           "narrative": "Đã tổ chức 04 cuộc đối thoại."})
    assert r.status_code == 303, r.get_data(as_text=True)
    report = db_session.scalar(sa.select(ProgressReport).where(ProgressReport.task_id == task.id))
    assert calls.target_rows(call)[world.c1.id].status == "missing"          # a draft answers nothing
    assert officer.post_form(f"/de-an/bao-cao/{report.id}/chuyen", {"transition": "submit"}).status_code == 303
    assert calls.target_rows(call)[world.c1.id].status == "on_time"
    assert leader.post_form(f"/de-an/bao-cao/{report.id}/chuyen", {"transition": "accept"}).status_code == 303
    rows = calls.target_rows(call)
    assert rows[world.c1.id].status == "approved" and rows[world.c2.id].status == "missing"
    assert f'href="/de-an/bao-cao/{report.id}"' in leader.get(f"/yeu-cau/{call.id}").get_data(as_text=True)

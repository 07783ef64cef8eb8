"""Calls for submissions: creating, answering, tracking, export, reminders, notifications, dashboard."""
from __future__ import annotations

import io
import re
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from openpyxl import load_workbook

from danvan import calls
from danvan.core.vntext import TZ, today_local
from danvan.notifications.models import Notification
from danvan.plans import documents

TODAY = today_local()


def _fmt(d):
    return d.strftime("%d/%m/%Y")


def _doc(unit, call=None, **extra):
    data = {"type_code": "BC", "summary": "Báo cáo sơ kết", "year": 2026, "signer_name": "Ma Văn Cường",
            "sections": [{"heading": "I. KẾT QUẢ", "body": "Đạt"}], "call": call, **extra}
    return documents.create_document(unit, data, actor=None)


def _notes(db_session, user):
    return list(db_session.scalars(sa.select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def test_create_call_through_http_notifies_targets(db_session, world, login_as):
    officer_c1 = login_as("officer", world.c1)
    officer_c3 = login_as("officer", world.c3)
    issuer = login_as("officer", world.bdv)            # the province's Ban Dân vận
    r = issuer.post_form("/yeu-cau/moi", {
        "title": "Báo cáo sơ kết 6 tháng đầu năm 2026", "kind": "document", "type_code": "BC",
        "deadline": _fmt(TODAY + timedelta(days=10)), "description": "Gửi trước hạn.", "target_mode": "communes"})
    assert r.status_code == 303, r.get_data(as_text=True)
    call = db_session.scalar(sa.select(calls.Call))
    assert sorted(t.unit_id for t in call.targets) == sorted([world.c1.id, world.c2.id, world.c3.id])
    assert any("Yêu cầu nộp mới" in n.title for n in _notes(db_session, officer_c1.user))
    assert any("Yêu cầu nộp mới" in n.title for n in _notes(db_session, officer_c3.user))
    # The target sees the call (not the tracking of others) and can answer it.
    page = officer_c1.get(f"/yeu-cau/{call.id}").get_data(as_text=True)
    assert "Tình trạng của đơn vị tôi" in page and "Chưa nộp" in page and "Thị trấn Bằng Lũng" not in page
    assert "Soạn văn bản trả lời" in officer_c1.get("/yeu-cau/").get_data(as_text=True)
    form = officer_c1.get(f"/van-ban/moi?call_id={call.id}").get_data(as_text=True)
    assert "Báo cáo sơ kết 6 tháng đầu năm 2026" in form

    r = issuer.post_form("/yeu-cau/moi", {"title": "Đợt hai", "kind": "document", "type_code": "BC",
                                          "deadline": _fmt(TODAY + timedelta(days=3)), "target_mode": "reporting"})
    assert r.status_code == 303
    reporting = db_session.scalars(sa.select(calls.Call).where(calls.Call.title == "Đợt hai")).one()
    assert sorted(t.unit_id for t in reporting.targets) == sorted([world.d1.id, world.d2.id, world.e.id])


def test_bad_call_input(db_session, world, login_as):
    issuer = login_as("officer", world.d1b)
    base = {"title": "Báo cáo quý", "kind": "document", "type_code": "BC",
            "deadline": _fmt(TODAY + timedelta(days=5)), "target_mode": "pick", "targets": [world.c1.id]}
    r = issuer.post_form("/yeu-cau/moi", {**base, "deadline": _fmt(TODAY - timedelta(days=1))})
    assert r.status_code == 422 and "đã qua" in r.get_data(as_text=True)
    r = issuer.post_form("/yeu-cau/moi", {**base, "deadline": "31/02/2026"})
    assert r.status_code == 422 and "dd/mm/yyyy" in r.get_data(as_text=True)
    r = issuer.post_form("/yeu-cau/moi", {**base, "targets": [world.c3.id]})     # another district's commune
    assert r.status_code == 403 and "không thuộc phạm vi" in r.get_data(as_text=True)
    r = issuer.post_form("/yeu-cau/moi", {**base, "targets": []})
    assert r.status_code == 422 and "ít nhất một đơn vị" in r.get_data(as_text=True)
    r = issuer.post_form("/yeu-cau/moi", {**base, "title": ""})
    assert r.status_code == 422 and "Nhập tên yêu cầu" in r.get_data(as_text=True)
    assert db_session.scalar(sa.select(sa.func.count(calls.Call.id))) == 0
    # A deadline today is fine: the whole day counts.
    r = issuer.post_form("/yeu-cau/moi", {**base, "deadline": _fmt(TODAY)})
    assert r.status_code == 303


def test_tracking_statuses_and_counts(db_session, world, login_as):
    leader = login_as("leader", world.d1b)
    c4 = world.create_unit("Xã Cao Thượng", "xa", world.d1)
    call = calls.create_call(world.d1, {"title": "Báo cáo 6 tháng", "type_code": "BC",
                                        "deadline": TODAY + timedelta(days=2)},
                             [world.c1, world.c2, c4], actor=leader.user)
    # C1 files on time and is approved; C2 files after the deadline; C4 files nothing.
    d1 = _doc(world.c1, call)
    documents.transition(d1, "submit", actor=_officer(world, world.c1))
    d2 = _doc(world.c2, call)
    documents.transition(d2, "submit", actor=_officer(world, world.c2))
    late_at = datetime.combine(TODAY + timedelta(days=3), time(0, 0, 1), tzinfo=TZ).astimezone(UTC)
    db_session.execute(sa.update(calls.CallSubmission).where(calls.CallSubmission.object_id == d2.id)
                       .values(submitted_at=late_at))
    documents.transition(d1, "approve", actor=leader.user)
    t = calls.tracking(call)
    status = {r.unit.name: r.status for r in t.rows}
    assert status == {"Phường Xuất Hóa": "approved", "Xã Nam Mẫu": "late", "Xã Cao Thượng": "missing"}
    assert t.summary == "2/3 đơn vị đã nộp, 1 nộp muộn"
    page = leader.get(f"/yeu-cau/{call.id}").get_data(as_text=True)
    assert "2/3 đơn vị đã nộp, 1 nộp muộn" in page and "Nộp muộn" in page and "Đã duyệt" in page
    only_missing = leader.hx_get(f"/yeu-cau/{call.id}?trang_thai=missing").get_data(as_text=True)
    table = only_missing[only_missing.index('id="tracking-rows"'):only_missing.index("</table>")]
    assert "Xã Cao Thượng" in table and "Xã Nam Mẫu" not in table
    assert only_missing.lstrip().startswith('<section class="panel" id="tracking">')

    # Returned shows as such; a submission at 23:59 on the deadline day is on time.
    documents.transition(d2, "return", actor=leader.user, comment="Thiếu số liệu")
    d4 = _doc(c4, call)
    documents.transition(d4, "submit", actor=_officer(world, c4))
    db_session.execute(sa.update(calls.CallSubmission).where(calls.CallSubmission.object_id == d4.id).values(
        submitted_at=datetime.combine(TODAY + timedelta(days=2), time(23, 59), tzinfo=TZ).astimezone(UTC)))
    t = calls.tracking(call)
    assert {r.unit.name: r.status for r in t.rows}["Xã Nam Mẫu"] == "returned"
    assert {r.unit.name: r.status for r in t.rows}["Xã Cao Thượng"] == "on_time"
    assert t.counts == {"total": 3, "submitted": 2, "late": 0, "on_time": 2, "returned": 1, "approved": 1,
                        "missing": 0}

    # XLSX export with real date cells.
    r = leader.get(f"/yeu-cau/{call.id}/xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.data)).active
    assert ws["A2"].value == t.summary
    names = [ws.cell(row, 2).value for row in range(4, ws.max_row + 1)]
    assert sorted(names) == sorted(["Phường Xuất Hóa", "Xã Nam Mẫu", "Xã Cao Thượng"])
    assert isinstance(ws["C4"].value, datetime)


def _officer(world, unit):
    return world.create_user(unit, ["officer"])


def test_answer_refused_for_non_target_and_wrong_type(db_session, world):
    call = calls.create_call(world.d1, {"title": "BC", "type_code": "BC", "deadline": TODAY}, [world.c1], actor=None)
    try:
        _doc(world.c2, call)
    except documents.DocumentError as exc:
        assert exc.status == 403
    else:
        raise AssertionError("a non-target answered")
    try:
        _doc(world.c1, call, type_code="KH")
    except documents.DocumentError as exc:
        assert "Báo cáo" in exc.message
    else:
        raise AssertionError("wrong type accepted")


def test_ban_answers_for_its_committee(db_session, world, login_as):
    # A district's report to the province is filed by its Ban Dân vận and counts for the district.
    call = calls.create_call(world.bdv, {"title": "Báo cáo năm", "type_code": "BC", "deadline": TODAY},
                             [world.d1, world.d2], actor=None)
    officer = login_as("officer", world.d1b)
    province_leader = login_as("leader", world.bdv)
    doc = _doc(world.d1b, call)
    assert doc.approver_unit_id == world.p.id       # approved by the caller's committee
    documents.transition(doc, "submit", actor=officer.user)
    assert any("Chờ duyệt" in n.title for n in _notes(db_session, province_leader.user))
    t = calls.tracking(call)
    assert {r.unit.id: r.status for r in t.rows} == {world.d1.id: "on_time", world.d2.id: "missing"}
    documents.transition(doc, "approve", actor=province_leader.user)
    assert doc.number_text == "1-BC/BDVHU"


def test_reminders_once_each_catch_up_and_button(db_session, world, login_as, app):
    officer = login_as("officer", world.c2)
    call = calls.create_call(world.d1, {"title": "Kế hoạch năm", "type_code": "KH",
                                        "deadline": TODAY + timedelta(days=6)},
                             [world.c1, world.c2], actor=None, notify=False)
    doc = _doc(world.c1, call, type_code="KH")
    documents.transition(doc, "submit", actor=_officer(world, world.c1))
    assert calls.send_reminders(TODAY) == 0                       # too early
    assert calls.send_reminders(TODAY + timedelta(days=3)) == 1   # 3 days before: only C2 is missing
    assert calls.send_reminders(TODAY + timedelta(days=4)) == 0   # never twice
    # The run on the deadline+1 was missed; a run on deadline+2 still sends the overdue notice.
    assert calls.send_reminders(TODAY + timedelta(days=8)) == 1
    assert calls.send_reminders(TODAY + timedelta(days=9)) == 0
    titles = [n.title for n in _notes(db_session, officer.user)]
    assert any(t.startswith("Sắp đến hạn nộp") for t in titles) and any(t.startswith("Quá hạn nộp") for t in titles)
    assert len(titles) == 2
    kinds = sorted(r.kind.split(":")[0] for r in db_session.scalars(sa.select(calls.CallReminder)))
    assert kinds == ["overdue", "soon"]

    # The tracking page's button: once a day per missing unit.
    issuer = login_as("officer", world.d1b)
    r = issuer.post_form(f"/yeu-cau/{call.id}/nhac", {})
    assert r.status_code == 303
    assert len(_notes(db_session, officer.user)) == 3
    r = issuer.post_form(f"/yeu-cau/{call.id}/nhac", {}, follow_redirects=True)
    assert "đã được nhắc hôm nay" in r.get_data(as_text=True)
    assert len(_notes(db_session, officer.user)) == 3
    # The CLI command runs the same service.
    result = app.test_cli_runner().invoke(args=["send-reminders"])
    assert "lời nhắc" in result.output


def test_extension_per_unit(db_session, world, login_as):
    issuer = login_as("officer", world.d1b)
    call = calls.create_call(world.d1, {"title": "BC quý", "type_code": "BC", "deadline": TODAY}, [world.c1, world.c2],
                             actor=None, notify=False)
    r = issuer.post_form(f"/yeu-cau/{call.id}/gia-han", {"unit_id": world.c2.id,
                                                        "extended_until": _fmt(TODAY + timedelta(days=7))})
    assert r.status_code == 303
    rows = {r.unit.id: r for r in calls.tracking(call).rows}
    assert rows[world.c2.id].deadline == TODAY + timedelta(days=7) and rows[world.c1.id].deadline == TODAY
    r = issuer.post_form(f"/yeu-cau/{call.id}/gia-han", {"unit_id": world.c3.id,
                                                        "extended_until": _fmt(TODAY + timedelta(days=7))})
    assert r.status_code == 404
    assert calls.send_reminders(TODAY + timedelta(days=1)) == 1   # C1 overdue; C2 not yet


def test_notifications_bell_list_mark_read(db_session, world, login_as):
    me = login_as("officer", world.c1)
    other = login_as("officer", world.c2)
    from danvan.notifications import service

    service.notify([me.user, me.user, other.user], "Thông báo thử", link="/van-ban/")
    assert 'id="bell-count"' in me.hx_get("/thong-bao/dem").get_data(as_text=True)
    assert ">1<" in me.hx_get("/thong-bao/dem").get_data(as_text=True)
    page = me.get("/").get_data(as_text=True)
    assert 'hx-trigger="every 60s"' in page and 'title="1 thông báo chưa đọc">1<' in page   # rendered in, then polled
    (mine,) = _notes(db_session, me.user)
    (theirs,) = _notes(db_session, other.user)
    assert me.get(f"/thong-bao/{theirs.id}").status_code == 404
    assert me.post_form(f"/thong-bao/{theirs.id}/da-doc", {}).status_code == 404
    r = me.post_form(f"/thong-bao/{mine.id}/da-doc", {}, htmx=True)
    assert r.status_code == 200 and "đã đọc" in r.get_data(as_text=True)
    db_session.refresh(mine)
    assert mine.read_at is not None
    assert "zero" in me.hx_get("/thong-bao/dem").get_data(as_text=True)
    r = other.get(f"/thong-bao/{theirs.id}")
    assert r.status_code == 303 and r.headers["Location"].endswith("/van-ban/")
    service.notify([other.user], "Hai")
    assert other.post_form("/thong-bao/da-doc-tat-ca", {}).status_code == 303
    assert all(n.read_at for n in _notes(db_session, other.user))


def test_dashboard_panel_counts_and_links(db_session, world, login_as):
    officer = login_as("officer", world.c1)
    leader = login_as("leader", world.d1b)
    soon = calls.create_call(world.d1, {"title": "Sắp hạn", "type_code": "BC", "deadline": TODAY + timedelta(days=2)},
                             [world.c1], actor=None, notify=False)
    late = calls.create_call(world.d1, {"title": "Đã quá", "type_code": "BC", "deadline": TODAY}, [world.c1],
                             actor=None, notify=False)
    late.deadline = TODAY - timedelta(days=3)
    _doc(world.c1)
    submitted = _doc(world.c1, summary="Chờ duyệt")
    documents.transition(submitted, "submit", actor=officer.user)
    page = officer.get("/").get_data(as_text=True)
    assert 'id="count-drafts">1<' in page and 'id="count-soon">1<' in page and 'id="count-pending">2<' in page
    assert re.search(r'id="count-overdue"[^>]*>1<', page)
    assert "Sắp hạn" in page and "Đã quá" in page
    assert 'id="count-waiting">1<' in leader.get("/").get_data(as_text=True)
    assert "Đã quá" in officer.get("/yeu-cau/?loc=qua_han").get_data(as_text=True)
    assert "Sắp hạn" not in officer.get("/yeu-cau/?loc=qua_han").get_data(as_text=True)
    assert "Chờ duyệt" in leader.get("/van-ban/?loc=cho_duyet").get_data(as_text=True)
    _ = soon


def _big_call(world, n_communes: int):
    communes = [world.create_unit(f"Xã Thử {world.d1.id}-{i}", "xa", world.d1) for i in range(n_communes)]
    call = calls.create_call(world.d1, {"title": f"Yêu cầu {n_communes}", "type_code": "BC",
                                        "deadline": TODAY + timedelta(days=1)}, communes, actor=None, notify=False)
    for i, unit in enumerate(communes):
        if i % 3 == 0:
            continue
        doc = _doc(unit, call)
        documents.transition(doc, "submit", actor=world.create_user(unit, ["officer"]))
    return call


def test_tracking_and_dashboard_queries_constant(db_session, world, login_as, count_queries):
    leader = login_as("leader", world.d1b)
    officer = login_as("officer", world.c1)
    small = _big_call(world, 4)

    def measure(url, client):
        client.get(url)
        with count_queries() as q:
            assert client.get(url).status_code == 200
        return q.count

    n_small = measure(f"/yeu-cau/{small.id}", leader)
    dash_small = measure("/", officer)
    calls_small = measure("/yeu-cau/", leader)
    big = _big_call(world, 40)
    for _ in range(5):
        calls.create_call(world.d1, {"title": "Thêm", "type_code": "BC", "deadline": TODAY + timedelta(days=3)},
                          [world.c1], actor=None, notify=False)
    assert measure(f"/yeu-cau/{big.id}", leader) == n_small
    assert measure("/", officer) == dash_small
    assert measure("/yeu-cau/", leader) == calls_small
    assert calls.tracking(big).counts["total"] == 40

"""Closing (archiving) a call from its tracking page, and an administrator reopening it."""
from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from danvan import calls
from danvan.core.audit import AuditEvent
from danvan.core.vntext import today_local

TITLE = "Báo cáo sơ kết 6 tháng đầu năm 2026"


def _call(issuer_unit, targets, actor=None, title=TITLE) -> calls.Call:
    return calls.create_call(issuer_unit, {"title": title, "type_code": "BC",
                                           "deadline": today_local() + timedelta(days=5)},
                             targets, actor=actor, notify=False)


def _pending(html: str) -> int:
    return int(re.search(r'id="count-pending"[^>]*>(\d+)<', html).group(1))


def test_issuer_closes_a_call_targets_stop_seeing_it_tracking_stays_readable(db_session, world, login_as):
    issuer = login_as("officer", world.d1b)
    target = login_as("officer", world.c1)
    call = _call(world.d1b, [world.c1, world.c2], issuer.user)
    assert _pending(target.get("/").get_data(as_text=True)) == 1
    assert TITLE in target.get("/yeu-cau/").get_data(as_text=True)
    page = issuer.get(f"/yeu-cau/{call.id}").get_data(as_text=True)
    assert "Đóng yêu cầu" in page
    assert re.search(rf'action="/yeu-cau/{call.id}/dong"[^>]*data-confirm="', page)   # asks first

    r = issuer.post(f"/yeu-cau/{call.id}/dong", data={})                          # no CSRF token
    assert r.status_code == 400 and "CSRF" in r.get_data(as_text=True)
    assert db_session.get(calls.Call, call.id).archived_at is None

    r = issuer.post_form(f"/yeu-cau/{call.id}/dong")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/yeu-cau/{call.id}")
    assert db_session.get(calls.Call, call.id).archived_at is not None
    assert db_session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "call_archive",
                                                         AuditEvent.object_id == call.id)).user_id == issuer.user.id

    # targets: gone from the dashboard, the list and the document form; the page still opens, read-only
    assert _pending(target.get("/").get_data(as_text=True)) == 0
    assert TITLE not in target.get("/yeu-cau/").get_data(as_text=True)
    assert TITLE not in target.get("/van-ban/moi").get_data(as_text=True)
    page = target.get(f"/yeu-cau/{call.id}").get_data(as_text=True)
    assert "Yêu cầu đã đóng" in page and "Soạn văn bản trả lời" not in page
    # issuer: read-only tracking with a notice, no buttons; listed under "Đã đóng" only
    r = issuer.get(f"/yeu-cau/{call.id}")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="call-archived"' in page and "0/2 đơn vị đã nộp" in page
    for button in ("Đóng yêu cầu", "Nhắc các đơn vị chưa nộp", "Lưu hạn riêng", "Đổi hạn nộp chung",
                   "Khôi phục yêu cầu"):
        assert button not in page
    assert TITLE not in issuer.get("/yeu-cau/").get_data(as_text=True)
    closed = issuer.get("/yeu-cau/?tab=da_dong").get_data(as_text=True)
    assert TITLE in closed and "Đã đóng" in closed
    # nothing can be done on a closed call, and no reminder goes out for it
    for url, data in ((f"/yeu-cau/{call.id}/nhac", {}),
                      (f"/yeu-cau/{call.id}/gia-han", {"unit_id": world.c1.id, "extended_until": ""}),
                      (f"/yeu-cau/{call.id}/dong", {})):
        r = issuer.post_form(url, data)
        assert r.status_code == 409 and "đã đóng" in r.get_data(as_text=True), url
    assert calls.send_reminders(today=today_local() + timedelta(days=6)) == 0


def test_who_may_close(db_session, world, login_as):
    call = _call(world.d1, [world.c1])
    other = _call(world.d2, [world.c3], title="Yêu cầu của Huyện ủy Chợ Đồn")
    assert login_as("viewer", world.d1b).post_form(f"/yeu-cau/{call.id}/dong").status_code == 403
    assert login_as("admin", world.d1b).post_form(f"/yeu-cau/{call.id}/dong").status_code == 403
    assert login_as("inspector", world.d1b).post_form(f"/yeu-cau/{call.id}/dong").status_code == 403
    # another unit's call is not found; nor is the call for a target, even an officer of it
    assert login_as("officer", world.d1b).post_form(f"/yeu-cau/{other.id}/dong").status_code == 404
    assert login_as("officer", world.c1).post_form(f"/yeu-cau/{call.id}/dong").status_code == 404
    # the province sees the district's call but did not issue it: it may not close it
    r = login_as("leader", world.bdv).post_form(f"/yeu-cau/{call.id}/dong")
    assert r.status_code == 403 and "Chỉ đơn vị đã gửi yêu cầu" in r.get_data(as_text=True)
    assert "Đóng yêu cầu" not in login_as("leader", world.bdv).get(f"/yeu-cau/{call.id}").get_data(as_text=True)
    assert db_session.get(calls.Call, call.id).archived_at is None
    # a leader of the issuing committee (the district itself, not its ban) may
    assert login_as("leader", world.d1).post_form(f"/yeu-cau/{call.id}/dong").status_code == 303
    assert db_session.get(calls.Call, call.id).archived_at is not None


def test_admin_restores_a_closed_call(db_session, world, login_as):
    call = _call(world.d1b, [world.c1])
    target = login_as("officer", world.c1)
    admin = login_as("admin", world.bdv)
    assert admin.post_form(f"/yeu-cau/{call.id}/khoi-phuc").status_code == 409          # still open
    calls.archive_call(call, actor=None)
    page = admin.get(f"/yeu-cau/{call.id}").get_data(as_text=True)
    assert "Khôi phục yêu cầu" in page
    assert re.search(rf'action="/yeu-cau/{call.id}/khoi-phuc"[^>]*data-confirm="', page)
    assert login_as("officer", world.d1b).post_form(f"/yeu-cau/{call.id}/khoi-phuc").status_code == 403
    assert login_as("admin", world.d2).post_form(f"/yeu-cau/{call.id}/khoi-phuc").status_code == 404
    assert admin.post(f"/yeu-cau/{call.id}/khoi-phuc", data={}).status_code == 400     # CSRF
    assert db_session.get(calls.Call, call.id).archived_at is not None
    r = admin.post_form(f"/yeu-cau/{call.id}/khoi-phuc")
    assert r.status_code == 303
    assert db_session.get(calls.Call, call.id).archived_at is None
    assert db_session.scalar(sa.select(AuditEvent.action).where(AuditEvent.object_id == call.id,
                                                                AuditEvent.action == "call_restore"))
    assert _pending(target.get("/").get_data(as_text=True)) == 1
    assert TITLE in target.get("/yeu-cau/").get_data(as_text=True)

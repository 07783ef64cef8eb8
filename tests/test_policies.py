"""Object rules in core/policies through HTTP: the refused user gets 403/404 (or the page's refusal), the
permitted one succeeds, and the button is on the page exactly when the rule allows."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from danvan import calls
from danvan.core.files import Attachment
from danvan.core.vntext import today_local
from danvan.extensions import db
from danvan.plans import documents
from danvan.plans.models import PlanDelegation
from tests.samples.initiatives import make_initiative
from tests.samples.programme import _make as make_programme

TODAY = today_local()


def _doc(unit):
    return documents.create_document(unit, {
        "type_code": "KH", "summary": "Kế hoạch thử quyền", "year": 2026, "signer_name": "Lý Văn Minh",
        "sections": [{"heading": "I. MỤC ĐÍCH", "body": "Nội dung"}]}, actor=None)


def _attachments(doc) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Attachment).where(
        Attachment.owner_type == "PlanDocument", Attachment.owner_id == doc.id))


EDIT_LINK = "/sua\">Sửa</a>"


def test_document_edit_only_by_the_issuing_unit_while_drafting(world, login_as):
    doc = _doc(world.c1)
    author = login_as("officer", world.c1)
    superior = login_as("officer", world.d1b)     # reads the commune's sent documents, does not write them
    viewer = login_as("viewer", world.c1)
    assert EDIT_LINK in author.get(f"/van-ban/{doc.id}").get_data(as_text=True)
    assert author.get(f"/van-ban/{doc.id}/sua").status_code == 200
    page = viewer.get(f"/van-ban/{doc.id}")
    assert page.status_code == 200 and EDIT_LINK not in page.get_data(as_text=True)
    # a draft is the commune's own until it is sent: the district does not even find it
    for url in (f"/van-ban/{doc.id}", f"/van-ban/{doc.id}/sua", f"/van-ban/{doc.id}/pdf"):
        assert superior.get(url).status_code == 404, url
    assert superior.post_form(f"/van-ban/{doc.id}/tep").status_code == 404

    documents.transition(doc, "submit", actor=author.user)
    documents.transition(doc, "return", actor=login_as("leader", world.d1b).user, comment="Bổ sung số liệu")
    page = superior.get(f"/van-ban/{doc.id}")                  # returned: still read by the level above
    assert page.status_code == 200 and EDIT_LINK not in page.get_data(as_text=True)
    r = superior.get(f"/van-ban/{doc.id}/sua")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/van-ban/{doc.id}")
    assert superior.post_form(f"/van-ban/{doc.id}/tep").status_code == 403
    assert login_as("officer", world.c2).get(f"/van-ban/{doc.id}/sua").status_code == 404

    documents.transition(doc, "submit", actor=author.user)
    assert EDIT_LINK not in author.get(f"/van-ban/{doc.id}").get_data(as_text=True)
    assert author.get(f"/van-ban/{doc.id}/sua").status_code == 303
    assert author.post_form(f"/van-ban/{doc.id}/tep").status_code == 403
    assert _attachments(doc) == 0


def test_delegation_revoked_only_by_its_leader_while_running(world, login_as):
    leader = login_as("leader", world.d1b)
    colleague = login_as("leader", world.d1b)
    deputy = login_as("officer", world.d1b)
    row = documents.delegate(leader.user, deputy.user, TODAY, TODAY + timedelta(days=3), actor=leader.user)
    url = f"/uy-quyen/{row.id}/huy"
    assert url in leader.get("/uy-quyen").get_data(as_text=True)
    assert "Đang hiệu lực" in leader.get("/uy-quyen").get_data(as_text=True)
    assert url not in colleague.get("/uy-quyen").get_data(as_text=True)
    r = colleague.post_form(url)
    assert r.status_code == 303
    db.session.refresh(row)
    assert row.revoked_at is None
    assert login_as("leader", world.d2).post_form(url).status_code == 404

    assert leader.post_form(url).status_code == 303
    db.session.refresh(row)
    assert row.revoked_at is not None
    page = leader.get("/uy-quyen").get_data(as_text=True)
    assert url not in page and "Đã hủy" in page

    # An ended delegation has nothing left to revoke.
    ended = PlanDelegation(unit_id=world.d1b.id, delegator_id=leader.user.id, delegate_id=deputy.user.id,
                           starts_on=TODAY - timedelta(days=9), ends_on=TODAY - timedelta(days=2))
    db.session.add(ended)
    db.session.flush()
    page = leader.get("/uy-quyen").get_data(as_text=True)
    assert f"/uy-quyen/{ended.id}/huy" not in page and "Hết hạn" in page
    leader.post_form(f"/uy-quyen/{ended.id}/huy")
    db.session.refresh(ended)
    assert ended.revoked_at is None


def test_initiative_scoring_and_exemplary_follow_the_state(world, login_as):
    obj = make_initiative(world.c1, state="submitted")
    above = login_as("leader", world.d1b)
    own_leader = login_as("leader", world.c1)
    url = f"/dan-van-kheo/{obj.id}"
    assert "Lưu điểm" in above.get(url).get_data(as_text=True)
    assert "Lưu điểm" not in own_leader.get(url).get_data(as_text=True)
    assert own_leader.post_form(f"{url}/cham-diem", {}).status_code == 403
    assert f"{url}/sua" not in login_as("officer", world.c1).get(url).get_data(as_text=True)
    assert "mô hình tiêu biểu" not in above.get(url).get_data(as_text=True)
    assert above.post_form(f"{url}/tieu-bieu", {"exemplary": "1"}).status_code == 409

    obj.state = "recognised"
    db.session.flush()
    assert "Lưu điểm" not in above.get(url).get_data(as_text=True)
    assert "mô hình tiêu biểu" in above.get(url).get_data(as_text=True)
    assert "mô hình tiêu biểu" not in own_leader.get(url).get_data(as_text=True)
    assert own_leader.post_form(f"{url}/tieu-bieu", {"exemplary": "1"}).status_code == 403
    assert above.post_form(f"{url}/tieu-bieu", {"exemplary": "1"}).status_code == 303
    db.session.refresh(obj)
    assert obj.exemplary

    draft = make_initiative(world.c1, name="Bản nháp của xã")
    assert f"/dan-van-kheo/{draft.id}/sua" in login_as("officer", world.c1).get(
        f"/dan-van-kheo/{draft.id}").get_data(as_text=True)


def test_progress_report_edited_by_its_own_unit_while_drafting(world, login_as):
    _, _, _, report = make_programme(world.c1)
    url = f"/de-an/bao-cao/{report.id}"
    own = login_as("officer", world.c1)
    assert "Cập nhật báo cáo" in own.get(url).get_data(as_text=True)
    superior = login_as("officer", world.d1b)
    assert "Cập nhật báo cáo" not in superior.get(url).get_data(as_text=True)
    assert login_as("viewer", world.c1).post_form(url, {}).status_code == 403
    assert login_as("officer", world.c3).get(url).status_code == 404
    report.state = "submitted"
    db.session.flush()
    assert "Cập nhật báo cáo" not in own.get(url).get_data(as_text=True)


def test_soket_draft_button_only_for_those_who_may_file_it(world, login_as):
    programme, _, _, _ = make_programme(world.bdv)
    url = f"/de-an/{programme.id}/so-ket"
    button = "Tạo văn bản báo cáo (BC)"
    assert button in login_as("officer", world.bdv).get(url).get_data(as_text=True)
    viewer = login_as("viewer", world.bdv)
    assert button not in viewer.get(url).get_data(as_text=True)
    assert viewer.post_form(url).status_code == 403


def test_call_shows_days_overdue_only_while_nothing_is_filed(world, login_as):
    call = calls.create_call(world.d1, {"title": "Báo cáo đã quá hạn", "type_code": "BC", "deadline": TODAY},
                             [world.c1], actor=None, notify=False)
    call.deadline = TODAY - timedelta(days=4)
    db.session.flush()
    officer = login_as("officer", world.c1)
    assert "quá hạn 4 ngày" in officer.get("/yeu-cau/").get_data(as_text=True)
    doc = documents.create_document(world.c1, {
        "type_code": "BC", "summary": "Báo cáo nộp muộn", "year": 2026, "signer_name": "Lý Văn Minh",
        "call": call, "sections": [{"heading": "I.", "body": "Nội dung"}]}, actor=officer.user)
    documents.transition(doc, "submit", actor=officer.user)
    assert "quá hạn 4 ngày" not in officer.get("/yeu-cau/").get_data(as_text=True)


def test_invitation_confirm_link_and_attendance_figures(world, login_as):
    from danvan.conferences import participants
    from danvan.conferences.models import ConferenceInvitee
    from tests.samples.conferences import make_conference

    conf = make_conference(world.d2)
    invited = [ConferenceInvitee(conference=conf, unit=u, addressee="Lãnh đạo") for u in (world.c1, world.c2, world.c3)]
    db.session.add_all(invited)
    db.session.flush()
    participants.confirm(invited[0], "confirmed", 3, "", actor=None)
    participants.confirm(invited[2], "confirmed", 2, "", actor=None)
    participants.confirm(invited[1], "declined", None, "", actor=None)
    page = login_as("officer", world.d2).get(f"/hoi-nghi/{conf.id}").get_data(as_text=True)
    assert "xác nhận tham dự: 2 · đại biểu: 5" in page
    link = f"/hoi-nghi/khach-moi/{invited[0].id}/xac-nhan"
    assert link in login_as("officer", world.c1).get("/hoi-nghi/").get_data(as_text=True)
    assert link not in login_as("viewer", world.c1).get("/hoi-nghi/").get_data(as_text=True)


def test_unit_form_only_for_an_admin_of_the_tree_while_the_unit_is_open(world, login_as):
    from danvan.units import service as units

    admin = login_as("admin", world.d1)
    assert "Sửa thông tin" in admin.get(f"/don-vi/{world.c2.id}").get_data(as_text=True)
    assert "Sửa thông tin" not in login_as("officer", world.d1).get(f"/don-vi/{world.c2.id}").get_data(as_text=True)
    assert login_as("admin", world.d2).get(f"/don-vi/{world.c2.id}").status_code == 404
    units.close(world.c2, today_local(), actor=admin.user)
    assert "Sửa thông tin" not in admin.get(f"/don-vi/{world.c2.id}").get_data(as_text=True)

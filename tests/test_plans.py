"""Plans and reports through HTTP: the full filing flow, scope, stale edits, bad input, printing."""
from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
import sqlalchemy as sa

from danvan.core import workflow
from danvan.core.files import Attachment
from danvan.core.vntext import today_local
from danvan.notifications.models import Notification
from danvan.plans import documents
from danvan.plans.models import PlanDocument

GOOD = {
    "type_code": "KH", "summary": "Kế hoạch thực hiện Kết luận 03-KL/TU năm 2026", "year": "2026",
    "period": "Năm 2026",
    "sections-0-heading": "I. MỤC ĐÍCH, YÊU CẦU", "sections-0-body": "Quán triệt sâu rộng.\n- Ý một\n- Ý hai",
    "sections-1-heading": "II. NỘI DUNG", "sections-1-body": "Các nội dung chính.",
    "sections-2-heading": "", "sections-2-body": "",
    "signer_mode": "T/M", "signer_authority": "BAN THƯỜNG VỤ", "signer_title": "BÍ THƯ",
    "signer_name": "Lý Văn Minh", "recipients": "Ban Dân vận Huyện ủy,\nLưu Văn phòng",
}


def _docs(db_session):
    return list(db_session.scalars(sa.select(PlanDocument).order_by(PlanDocument.id)))


def _notes(db_session, user):
    return list(db_session.scalars(sa.select(Notification).where(Notification.user_id == user.id)))


def _act(client, doc, action, comment=""):
    return client.post_form(f"/van-ban/{doc.id}/thao-tac", {"action": action, "comment": comment})


@pytest.fixture
def people(world, login_as):
    officer = login_as("officer", world.c1)        # files for Phường Xuất Hóa
    leader = login_as("leader", world.d1b)          # approves for Huyện ủy Ba Bể (the unit above)
    return officer, leader


def test_full_flow_draft_submit_return_resubmit_approve(db_session, world, people):
    officer, leader = people
    r = officer.post_form("/van-ban/moi", GOOD)
    assert r.status_code == 303, r.get_data(as_text=True)
    (doc,) = _docs(db_session)
    assert doc.state == "draft" and doc.unit_id == world.c1.id and doc.approver_unit_id == world.d1.id
    assert [s["heading"] for s in doc.sections] == ["I. MỤC ĐÍCH, YÊU CẦU", "II. NỘI DUNG"]

    assert _act(officer, doc, "submit").status_code == 303
    db_session.refresh(doc)
    assert doc.state == "submitted" and doc.number is None
    assert any("Chờ duyệt" in n.title for n in _notes(db_session, leader.user))   # the approver above
    assert not _notes(db_session, officer.user)

    # Returning needs a reason: refused with a message, nothing changes.
    r = _act(leader, doc, "return")
    assert r.status_code == 422 and "Cần ghi rõ lý do" in r.get_data(as_text=True)
    db_session.refresh(doc)
    assert doc.state == "submitted"
    r = _act(leader, doc, "return", "Bổ sung số liệu cụ thể về mô hình.")
    assert r.status_code == 303
    db_session.refresh(doc)
    assert doc.state == "returned"
    assert any("Bị trả lại" in n.title and "Bổ sung số liệu" in n.body for n in _notes(db_session, officer.user))

    r = officer.post_form(f"/van-ban/{doc.id}/sua", {**GOOD, "version": doc.version,
                                                     "sections-1-body": "Có số liệu: 07 mô hình."})
    assert r.status_code == 303
    assert _act(officer, doc, "submit").status_code == 303
    r = _act(leader, doc, "approve")
    assert r.status_code == 303
    db_session.refresh(doc)
    assert doc.state == "approved" and doc.number == 1 and doc.number_text == "1-KH/ĐU"
    assert doc.issued_on == today_local()
    assert any("Đã duyệt" in n.title for n in _notes(db_session, officer.user))

    rows = workflow.history(doc)
    assert [h.transition for h in rows] == ["submit", "return", "submit", "approve"]
    page = officer.get(f"/van-ban/{doc.id}").get_data(as_text=True)
    assert "Số 1-KH/ĐU" in page and "Bổ sung số liệu cụ thể" in page and "Trả lại" in page
    assert "ở trạng thái «Đã gửi»" in page   # time spent in each state
    # Approved documents are no longer editable.
    r = officer.get(f"/van-ban/{doc.id}/sua")
    assert r.status_code == 303


def test_second_approval_gets_the_next_number(db_session, world, people):
    officer, leader = people
    for i in range(2):
        doc = documents.create_document(world.c1, {**_data(), "summary": f"Kế hoạch {i}"}, actor=officer.user)
        documents.transition(doc, "submit", actor=officer.user)
        documents.transition(doc, "approve", actor=leader.user)
    assert [d.number_text for d in _docs(db_session)] == ["1-KH/ĐU", "2-KH/ĐU"]


def _data(**extra):
    return {"type_code": "KH", "summary": "Kế hoạch", "year": 2026, "signer_name": "Lý Văn Minh",
            "sections": [{"heading": "I. MỤC ĐÍCH", "body": "Nội dung"}], **extra}


def test_scope_commune_never_sees_sibling_district_sees_communes(db_session, world, login_as):
    mine = documents.create_document(world.c1, _data(summary="Của Xuất Hóa"), actor=None)
    sibling = documents.create_document(world.c2, _data(summary="Của Nam Mẫu"), actor=None)
    far = documents.create_document(world.c3, _data(summary="Của Bằng Lũng"), actor=None)
    for doc in (mine, sibling, far):    # sent: a draft is its own unit's only (tests/test_calls_filing.py)
        documents.transition(doc, "submit", actor=world.create_user(doc.unit))
    c1 = login_as("officer", world.c1)
    listing = c1.get("/van-ban/").get_data(as_text=True)
    assert "Của Xuất Hóa" in listing and "Của Nam Mẫu" not in listing and "Của Bằng Lũng" not in listing
    assert c1.get(f"/van-ban/{sibling.id}").status_code == 404
    assert c1.get(f"/van-ban/{sibling.id}/in").status_code == 404
    assert c1.get(f"/van-ban/{mine.id}").status_code == 200
    district = login_as("viewer", world.d1b)
    listing = district.get("/van-ban/").get_data(as_text=True)
    assert "Của Xuất Hóa" in listing and "Của Nam Mẫu" in listing and "Của Bằng Lũng" not in listing
    assert district.get(f"/van-ban/{far.id}").status_code == 404
    # search without accents, in scope only
    hits = district.hx_get("/van-ban/?q=nam mau").get_data(as_text=True)
    assert "Của Nam Mẫu" in hits and "Của Xuất Hóa" not in hits


def test_stale_edit_is_refused_and_input_kept(db_session, world, login_as):
    officer = login_as("officer", world.c1)
    doc = documents.create_document(world.c1, _data(summary="Bản gốc"), actor=officer.user)
    opened = doc.version
    # Someone else saves first.
    r = officer.post_form(f"/van-ban/{doc.id}/sua", {**GOOD, "summary": "Bản của đồng nghiệp", "version": opened})
    assert r.status_code == 303
    r = officer.post_form(f"/van-ban/{doc.id}/sua", {**GOOD, "summary": "Bản của tôi, viết lâu", "version": opened})
    assert r.status_code == 409
    body = r.get_data(as_text=True)
    assert "vừa được người khác cập nhật" in body and "Bản của tôi, viết lâu" in body
    db_session.refresh(doc)
    assert doc.summary == "Bản của đồng nghiệp"


def test_bad_document_input(db_session, world, people):
    officer, leader = people
    r = officer.post_form("/van-ban/moi", {**GOOD, "summary": "   "})
    assert r.status_code == 422 and "Nhập trích yếu" in r.get_data(as_text=True)
    r = officer.post_form("/van-ban/moi", {**GOOD, "type_code": "XYZ"})
    assert r.status_code == 422
    r = officer.post_form("/van-ban/moi", {**GOOD, "year": "26"})
    assert r.status_code == 422 and "2000–2100" in r.get_data(as_text=True)
    assert _docs(db_session) == []

    # HTML in the summary is stored as text and escaped everywhere.
    r = officer.post_form("/van-ban/moi", {**GOOD, "summary": "<script>alert(1)</script> Kế hoạch"})
    assert r.status_code == 303
    (doc,) = _docs(db_session)
    assert doc.summary.startswith("<script>")
    for url in (f"/van-ban/{doc.id}", f"/van-ban/{doc.id}/in", "/van-ban/"):
        page = officer.get(url).get_data(as_text=True)
        assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page

    # Transitions re-validate: no body section → submit refused with the reason.
    empty = documents.create_document(world.c1, _data(sections=[]), actor=officer.user)
    r = _act(officer, empty, "submit")
    assert r.status_code == 422 and "ít nhất một mục nội dung" in r.get_data(as_text=True)
    db_session.refresh(empty)
    assert empty.state == "draft"

    # A forged transition: the officer posts "approve", an unknown action, a leader "submit".
    documents.transition(doc, "submit", actor=officer.user)
    r = _act(officer, doc, "approve")
    assert r.status_code == 403 and "không có quyền" in r.get_data(as_text=True)
    r = _act(officer, doc, "destroy")
    assert r.status_code == 400
    r = _act(leader, doc, "submit")
    assert r.status_code == 409
    db_session.refresh(doc)
    assert doc.state == "submitted" and doc.number is None


def test_commune_leader_is_not_the_approver_and_far_leader_gets_404(db_session, world, people, login_as):
    officer, _ = people
    doc = documents.create_document(world.c1, _data(), actor=officer.user)
    documents.transition(doc, "submit", actor=officer.user)
    commune_leader = login_as("leader", world.c1)
    r = _act(commune_leader, doc, "approve")
    assert r.status_code == 403 and "Chỉ lãnh đạo của cấp duyệt" in r.get_data(as_text=True)
    far = login_as("leader", world.d2)
    assert _act(far, doc, "approve").status_code == 404
    db_session.refresh(doc)
    assert doc.state == "submitted"


def _docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def test_attachments_type_by_content_size_and_scope(db_session, world, people, login_as):
    officer, _ = people
    doc = documents.create_document(world.c1, _data(), actor=officer.user)
    url = f"/van-ban/{doc.id}/tep"
    r = officer.post_form(url, {"file": (io.BytesIO(b"MZ\x90\x00 this is a windows program"), "bao-cao.pdf")},
                          content_type="multipart/form-data")
    assert r.status_code == 422 and "không đúng định dạng" in r.get_data(as_text=True)
    assert db_session.scalar(sa.select(sa.func.count(Attachment.id))) == 0

    r = officer.post_form(url, {"file": (io.BytesIO(b"x" * (25 * 1024 * 1024)), "lon.pdf")},
                          content_type="multipart/form-data")
    assert r.status_code == 413 and "20 MB" in r.get_data(as_text=True)
    assert db_session.scalar(sa.select(sa.func.count(Attachment.id))) == 0

    r = officer.post_form(url, {"file": [(io.BytesIO(b"%PDF-1.4\n%x\n"), "Biên bản.pdf"),
                                         (io.BytesIO(_docx()), "Báo cáo.docx")]},
                          content_type="multipart/form-data")
    assert r.status_code == 303
    atts = list(db_session.scalars(sa.select(Attachment).order_by(Attachment.id)))
    assert [(a.filename, a.kind) for a in atts] == [("Biên bản.pdf", "pdf"), ("Báo cáo.docx", "docx")]
    page = officer.get(f"/van-ban/{doc.id}").get_data(as_text=True)
    assert "Biên bản.pdf" in page
    assert officer.get(f"/tep/{atts[0].id}").status_code == 200
    assert login_as("officer", world.c2).get(f"/tep/{atts[0].id}").status_code == 404

    r = officer.post_form(f"/van-ban/{doc.id}/tep/xoa", {"attachment_id": atts[0].id})
    assert r.status_code == 303
    db_session.refresh(atts[0])
    assert atts[0].archived_at is not None


def test_archive_and_admin_restore(db_session, world, people, login_as):
    officer, leader = people
    doc = documents.create_document(world.c1, _data(summary="Kế hoạch sẽ lưu trữ"), actor=officer.user)
    documents.transition(doc, "submit", actor=officer.user)
    documents.transition(doc, "approve", actor=leader.user)
    assert "Kế hoạch sẽ lưu trữ" in officer.get("/van-ban/").get_data(as_text=True)
    # An officer cannot archive an approved document.
    assert _act(officer, doc, "archive").status_code == 409
    admin = login_as("admin", world.d1b)
    assert _act(admin, doc, "admin_archive").status_code == 303
    db_session.refresh(doc)
    assert doc.state == "archived"
    assert "Kế hoạch sẽ lưu trữ" not in officer.get("/van-ban/").get_data(as_text=True)
    # Archived, it keeps its number: the print shows it issued, not as an unnumbered draft.
    printed = admin.get(f"/van-ban/{doc.id}/in").get_data(as_text=True)
    assert "1-KH/ĐU" in printed and "chưa có số" not in printed and "(Đã ký)" in printed
    assert _act(admin, doc, "restore").status_code == 303
    db_session.refresh(doc)
    assert doc.state == "approved" and doc.number_text == "1-KH/ĐU"
    assert workflow.history(doc)[-1].to_state == "approved"


def test_delegation_history_shows_on_behalf(db_session, world, people, login_as):
    officer, leader = people
    deputy = login_as("officer", world.d1b, full_name="Đặng Thị Dung")
    r = leader.post_form("/uy-quyen", {"delegate_id": deputy.user.id, "starts_on": today_local().strftime("%d/%m/%Y"),
                                       "ends_on": (today_local() + timedelta(days=5)).strftime("%d/%m/%Y")})
    assert r.status_code == 303, r.get_data(as_text=True)
    doc = documents.create_document(world.c1, _data(), actor=officer.user)
    documents.transition(doc, "submit", actor=officer.user)
    assert db_session.scalar(sa.select(sa.func.count(Notification.id)).where(Notification.user_id == deputy.user.id))
    waiting = deputy.get("/van-ban/?loc=cho_duyet").get_data(as_text=True)
    assert "Kế hoạch" in waiting
    assert _act(deputy, doc, "approve").status_code == 303
    db_session.refresh(doc)
    assert doc.state == "approved"
    last = workflow.history(doc)[-1]
    assert last.actor_id == deputy.user.id and last.on_behalf_of_id == leader.user.id
    assert "duyệt thay" in officer.get(f"/van-ban/{doc.id}").get_data(as_text=True)
    # Past range refused.
    r = leader.post_form("/uy-quyen", {"delegate_id": deputy.user.id, "starts_on": "01/01/2020",
                                       "ends_on": "02/01/2020"})
    assert r.status_code == 422 and "đã qua" in r.get_data(as_text=True)


def test_print_view_and_pdf_hold_number_and_summary(db_session, world, people):
    officer, leader = people
    doc = documents.create_document(world.c1, _data(summary="Kế hoạch tuyên truyền Dân vận khéo",
                                                     recipients="Như trên,\nLưu VP", signer_mode="T/M",
                                                     signer_authority="Ban Thường vụ"), actor=officer.user)
    draft_print = officer.get(f"/van-ban/{doc.id}/in").get_data(as_text=True)
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in draft_print and "chưa có số" in draft_print
    assert "(Đã ký)" not in draft_print
    documents.transition(doc, "submit", actor=officer.user)
    submitted = officer.get(f"/van-ban/{doc.id}/in").get_data(as_text=True)
    assert "Bản đã gửi — chưa có số, chưa ban hành." in submitted and "(Đã ký)" not in submitted
    documents.transition(doc, "approve", actor=leader.user)
    page = officer.get(f"/van-ban/{doc.id}/in").get_data(as_text=True)
    assert "chưa có số" not in page and "(Đã ký)" in page
    assert "Số 1-KH/ĐU" in page and "Nơi nhận:" in page and "HUYỆN ỦY BA BỂ" in page
    assert "Kế hoạch tuyên truyền Dân vận khéo" in page and "T/M" in page
    r = officer.get(f"/van-ban/{doc.id}/pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(r.data)).pages)
    assert "1-KH/ĐU" in text and "Kế hoạch tuyên truyền Dân vận khéo" in text


def test_create_document_without_request(app, db_session, world):
    # The Đề án feature builds a draft report from live data through the service, outside a request.
    doc = documents.create_document(world.d1b, _data(type_code="BC", summary="Báo cáo tiến độ Đề án"), actor=None)
    assert doc.id and doc.state == "draft" and doc.approver_unit_id == world.d1.id
    with pytest.raises(documents.DocumentError) as exc:
        documents.create_document(world.d1b, _data(summary=""), actor=None)
    assert exc.value.field == "summary"


def test_document_list_queries_constant(db_session, world, login_as, count_queries):
    viewer = login_as("viewer", world.d1b)

    def measure():
        viewer.get("/van-ban/")
        with count_queries() as q:
            assert viewer.get("/van-ban/").status_code == 200
        return q.count

    for _ in range(2):
        documents.create_document(world.c1, _data(), actor=None)
    small = measure()
    for _ in range(20):
        documents.create_document(world.c2, _data(), actor=None)
    assert measure() == small


def test_unit_merge_moves_open_documents_and_call_targets(db_session, world, login_as):
    from danvan import calls
    from danvan.units import service as units_service

    admin = login_as("admin", world.d1b)
    draft = documents.create_document(world.c1, _data(summary="Nháp dở"), actor=None)
    done = documents.create_document(world.c1, _data(summary="Đã xong"), actor=None)
    documents.transition(done, "submit", actor=world.create_user(world.c1, ["officer"]))
    documents.transition(done, "approve", actor=world.create_user(world.d1b, ["leader"]))
    call = calls.create_call(world.d1, {"title": "BC", "type_code": "BC", "deadline": today_local()},
                             [world.c1, world.c2], actor=None, notify=False)
    new, moved = units_service.merge([world.c1, world.c2], name="Phường Xuất Hóa mới", code="ĐU", parent=world.d1,
                                     on=today_local(), move_open_work=True, actor=admin.user)
    assert moved["Văn bản chưa duyệt, yêu cầu nộp đang mở"] == 2   # the draft and one call target
    db_session.refresh(draft)
    db_session.refresh(done)
    assert draft.unit_id == new.id and done.unit_id == world.c1.id
    assert {t.unit.id for t in calls.tracking(call).rows} == {new.id, world.c2.id}

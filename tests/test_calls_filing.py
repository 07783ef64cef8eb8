"""Calls and filing as new users met them (issue 16.1–6): what a call asks for in Vietnamese,
correcting a deadline after sending, a document naming a call not addressed to its unit, drafts
private to their unit, the unit that actually approved, one menu entry highlighted, and links
only where the user may follow them."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from danvan import calls
from danvan.calls.models import Call, CallChange
from danvan.core import files
from danvan.core.audit import AuditEvent
from danvan.core.vntext import fmt_date, today_local
from danvan.initiatives import registration
from danvan.notifications.models import Notification
from danvan.plans import documents
from danvan.plans.models import PlanDocument
from tests.samples.initiatives import make_initiative

TODAY = today_local()
DOC = {"type_code": "BC", "summary": "Báo cáo kết quả", "year": 2026, "signer_name": "Lý Văn Minh",
       "sections": [{"heading": "I. KẾT QUẢ", "body": "Nội dung"}]}


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def _call(issuer, targets, *, days: int = 5, title: str = "Báo cáo quý", **extra) -> Call:
    return calls.create_call(issuer, {"title": title, "type_code": "BC", "deadline": TODAY + timedelta(days=days),
                                      **extra}, targets, actor=None, notify=False)


# 1. what a call asks for ----------------------------------------------------------------

def test_every_call_says_what_it_asks_for_in_vietnamese(db_session, world, login_as):
    target = login_as("officer", world.c1)
    issuer = login_as("officer", world.d1b)
    # The form sends the document-type select's default (hidden for this kind by app.js).
    r = issuer.post_form("/yeu-cau/moi", {
        "title": "Đăng ký mô hình năm sau", "kind": registration.CALL_KIND, "type_code": "BC",
        "deadline": fmt_date(TODAY + timedelta(days=10)), "target_mode": "reporting"})
    assert r.status_code == 303, r.get_data(as_text=True)
    call = db_session.scalar(sa.select(Call).where(Call.title == "Đăng ký mô hình năm sau"))
    assert call.type_code == ""
    label = "Đăng ký mô hình “Dân vận khéo”"
    page = issuer.get(f"/yeu-cau/{call.id}").get_data(as_text=True)
    assert f"<dt>Yêu cầu nộp</dt><dd>{label}</dd>" in page and "Báo cáo" not in text(issuer.get(f"/yeu-cau/{call.id}"))
    assert label in issuer.get("/yeu-cau/").get_data(as_text=True)                    # issued list
    assert label in target.get("/yeu-cau/").get_data(as_text=True)                    # target's list
    note = db_session.scalar(sa.select(Notification.title).where(Notification.object_id == call.id))
    assert label in note
    # the type select is offered only for document calls (app.js reads data-show-when)
    form = issuer.get("/yeu-cau/moi").get_data(as_text=True)
    assert 'data-show-when="kind" data-show-values="document"' in form
    # a document call keeps its type
    r = issuer.post_form("/yeu-cau/moi", {"title": "Kế hoạch năm", "kind": "document", "type_code": "KH",
                                          "deadline": fmt_date(TODAY + timedelta(days=10)),
                                          "target_mode": "reporting"})
    assert r.status_code == 303
    doc_call = db_session.scalar(sa.select(Call).where(Call.title == "Kế hoạch năm"))
    assert doc_call.type_code == "KH" and "Văn bản (kế hoạch, báo cáo…): Kế hoạch" in issuer.get(
        f"/yeu-cau/{doc_call.id}").get_data(as_text=True)
    # a kind no feature registers any more never shows its code
    doc_call.kind = "kieu_da_bo"
    db_session.flush()
    page = text(issuer.get(f"/yeu-cau/{doc_call.id}"))
    assert "kieu_da_bo" not in page and "Yêu cầu nộp khác" in page


# 2. correcting a deadline ---------------------------------------------------------------

@pytest.fixture
def late_call(db_session, world):
    """A call from the district ban whose deadline passed 3 days ago; Xuất Hóa sent today (late)."""
    call = _call(world.d1b, [world.c1, world.c2])
    call.deadline = TODAY - timedelta(days=3)
    officer = world.create_user(world.c1, ["officer"])
    world.create_user(world.c2, ["officer"])
    doc = documents.create_document(world.c1, {**DOC, "call": call}, actor=officer)
    documents.transition(doc, "submit", actor=officer)
    return call


def _counts(page: str) -> str:
    return re.search(r'id="tracking-counts">([^<]+)<', page).group(1)


def test_issuer_moves_the_deadline_with_a_reason_targets_notified_lateness_recomputed(db_session, world, login_as,
                                                                                      late_call):
    issuer = login_as("officer", world.d1b)
    url = f"/yeu-cau/{late_call.id}"
    assert _counts(issuer.get(url).get_data(as_text=True)).startswith("Đúng hạn: 0 · Nộp muộn: 1")
    new = TODAY + timedelta(days=4)
    r = issuer.post_form(f"{url}/doi-han", {"deadline": fmt_date(new), "reason": "Gõ nhầm ngày khi gửi"})
    assert r.status_code == 303 and r.headers["Location"].endswith(url)
    assert db_session.get(Call, late_call.id).deadline == new
    page = issuer.get(url).get_data(as_text=True)
    assert _counts(page).startswith("Đúng hạn: 1 · Nộp muộn: 0")                          # recomputed
    assert 'id="deadline-history"' in page and "Gõ nhầm ngày khi gửi" in page
    change = db_session.scalar(sa.select(CallChange).where(CallChange.call_id == late_call.id))
    assert (change.unit_id, change.before, change.after, change.actor_id) == (
        None, TODAY - timedelta(days=3), new, issuer.user.id)
    event = db_session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "call_deadline",
                                                          AuditEvent.object_id == late_call.id))
    assert event.user_id == issuer.user.id and "Gõ nhầm ngày khi gửi" in event.changes
    notified = set(db_session.scalars(sa.select(Notification.unit_id).where(
        Notification.kind == "call_deadline", Notification.object_id == late_call.id)))
    assert notified == {world.c1.id, world.c2.id}
    # the target reads the change and its reason on its own page
    target = text(login_as("officer", world.c2).get(url))
    assert f"Hạn chung: {fmt_date(TODAY - timedelta(days=3))} → {fmt_date(new)}" in target
    assert "Gõ nhầm ngày khi gửi" in target


BAD_DEADLINES = [
    ({"deadline": "", "reason": "Lý do"}, 422, "Nhập hạn nộp mới"),
    ({"deadline": "31/02/2027", "reason": "Lý do"}, 422, "Ngày phải theo dạng dd/mm/yyyy"),   # impossible date
    ({"deadline": "15/6/27", "reason": "Lý do"}, 422, "Năm phải có đủ 4 chữ số"),
    ({"deadline": "{new}", "reason": "   "}, 422, "Nhập lý do đổi hạn nộp"),
    ({"deadline": "{same}", "reason": "Lý do"}, 422, "trùng hạn hiện tại"),
    ({"deadline": "{past}", "reason": "Lý do"}, 422, "Hạn sớm hơn phải từ hôm nay trở đi"),
    ({"deadline": "{new}", "reason": "x" * 1001}, 422, "Tối đa 1.000 ký tự"),
]


@pytest.mark.parametrize("data,status,message", BAD_DEADLINES)
def test_bad_deadline_changes_are_refused_in_vietnamese_and_the_form_kept(db_session, world, login_as, data,
                                                                         status, message):
    call = _call(world.d1b, [world.c1], days=5)
    values = {"new": fmt_date(TODAY + timedelta(days=9)), "same": fmt_date(call.deadline),
              "past": fmt_date(TODAY - timedelta(days=1))}
    data = {k: v.format(**values) for k, v in data.items()}
    r = login_as("officer", world.d1b).post_form(f"/yeu-cau/{call.id}/doi-han", data)
    page = r.get_data(as_text=True)
    assert r.status_code == status and message in page, page[-3000:]
    assert 'id="change-deadline" open' in page and data["deadline"] in page            # kept, shown open
    assert db_session.get(Call, call.id).deadline == TODAY + timedelta(days=5)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(CallChange)) == 0


def test_only_the_issuing_committee_changes_the_deadline(db_session, world, login_as):
    call = _call(world.d1b, [world.c1])
    url, data = f"/yeu-cau/{call.id}/doi-han", {"deadline": fmt_date(TODAY + timedelta(days=9)), "reason": "Lý do"}
    province = login_as("leader", world.bdv)           # reads the district's tracking, did not send the call
    assert 'id="change-deadline"' not in province.get(f"/yeu-cau/{call.id}").get_data(as_text=True)
    r = province.post_form(url, data)
    assert r.status_code == 403 and "Chỉ đơn vị đã gửi yêu cầu" in r.get_data(as_text=True)
    assert login_as("viewer", world.d1b).post_form(url, data).status_code == 403
    assert login_as("officer", world.c1).post_form(url, data).status_code == 404      # a target
    assert login_as("officer", world.d2).post_form(url, data).status_code == 404      # another district
    assert login_as("officer", world.d1b).post(url, data=data).status_code == 400     # no CSRF token
    assert db_session.get(Call, call.id).deadline == TODAY + timedelta(days=5)
    calls.archive_call(call, actor=None)
    r = login_as("officer", world.d1b).post_form(url, data)
    assert r.status_code == 409 and "đã đóng" in r.get_data(as_text=True)
    # the district committee's own staff (not only its ban) may correct it
    other = _call(world.d1b, [world.c1])
    assert login_as("leader", world.d1).post_form(f"/yeu-cau/{other.id}/doi-han", data).status_code == 303


def test_own_deadline_earlier_or_later_and_superseded_by_a_later_general_deadline(db_session, world, login_as):
    """Later than the general deadline: an extension, any time. Earlier: a unit asked to send
    first, allowed from today on only (never retroactively late)."""
    call = _call(world.d1b, [world.c1, world.c2], days=10)
    c1 = login_as("officer", world.c1)
    issuer = login_as("officer", world.d1b)
    url = f"/yeu-cau/{call.id}/gia-han"
    r = issuer.post_form(url, {"unit_id": world.c1.id, "extended_until": fmt_date(TODAY + timedelta(days=3)),
                               "reason": "Phục vụ đoàn kiểm tra"})
    assert r.status_code == 303
    r = issuer.post_form(url, {"unit_id": world.c2.id, "extended_until": fmt_date(TODAY - timedelta(days=1))})
    assert r.status_code == 422 and "Hạn sớm hơn phải từ hôm nay trở đi" in r.get_data(as_text=True)
    r = issuer.post_form(url, {"unit_id": world.c2.id, "extended_until": fmt_date(TODAY + timedelta(days=15))})
    assert r.status_code == 303
    page = issuer.get(f"/yeu-cau/{call.id}").get_data(as_text=True)
    assert "hạn riêng, sớm hơn hạn chung" in page and "(gia hạn)" in page
    rows = {r.unit.id: r.deadline for r in calls.tracking(db_session.get(Call, call.id)).rows}
    assert rows == {world.c1.id: TODAY + timedelta(days=3), world.c2.id: TODAY + timedelta(days=15)}
    # the general deadline moves past Nam Mẫu's extension: the extension is superseded, the earlier date stays
    r = issuer.post_form(f"/yeu-cau/{call.id}/doi-han", {"deadline": fmt_date(TODAY + timedelta(days=20)),
                                                         "reason": "Lùi hạn chung"})
    assert r.status_code == 303
    rows = {r.unit.id: r.deadline for r in calls.tracking(db_session.get(Call, call.id)).rows}
    assert rows == {world.c1.id: TODAY + timedelta(days=3), world.c2.id: TODAY + timedelta(days=20)}
    # each target reads the general changes and its own, not the other's
    page = text(c1.get(f"/yeu-cau/{call.id}"))
    assert "Hạn riêng của Phường Xuất Hóa" in page and "Phục vụ đoàn kiểm tra" in page and "Nam Mẫu" not in page
    notes = db_session.scalars(sa.select(Notification.body).where(Notification.unit_id == world.c1.id,
                                                                  Notification.kind == "call_deadline")).all()
    assert any(f"Hạn riêng của đơn vị vẫn là {fmt_date(TODAY + timedelta(days=3))}" in b for b in notes)


# 3. a document naming a call not addressed to its unit -----------------------------------

def test_document_naming_a_call_not_addressed_to_its_unit_is_refused_and_kept(db_session, world, login_as):
    elsewhere = _call(world.d2, [world.c3], title="Yêu cầu của Chợ Đồn")
    mine = _call(world.d1b, [world.c1], title="Yêu cầu của Ba Bể")
    officer = login_as("officer", world.c1)
    form = {"type_code": "BC", "summary": "Báo cáo giữ lại khi bị từ chối", "year": "2026",
            "signer_mode": "T/M", "sections-0-heading": "I. KẾT QUẢ", "sections-0-body": "Nội dung"}
    for call_id in (elsewhere.id, 987654, "abc"):
        r = officer.post_form("/van-ban/moi", {**form, "call_id": str(call_id)})
        page = r.get_data(as_text=True)
        assert r.status_code == 422 and "không gửi tới đơn vị của bạn" in page, call_id
        assert "Báo cáo giữ lại khi bị từ chối" in page
    assert db_session.scalar(sa.select(sa.func.count()).select_from(PlanDocument)) == 0
    r = officer.post_form("/van-ban/moi", {**form, "call_id": str(mine.id)})
    assert r.status_code == 303
    assert db_session.scalar(sa.select(PlanDocument.call_id)) == mine.id


# 4. drafts private until sent ------------------------------------------------------------

def test_drafts_are_private_to_their_unit_until_sent(db_session, world, login_as):
    author = world.create_user(world.c1, ["officer"])
    draft = documents.create_document(world.c1, {**DOC, "summary": "Nháp riêng của Xuất Hóa"}, actor=author)
    own = documents.create_document(world.bdv, {**DOC, "summary": "Nháp của Ban tỉnh"}, actor=None)
    attached = files.store(FileStorage(io.BytesIO(b"%PDF-1.4\n%x\n"), filename="so-lieu.pdf"),
                           owner_type="PlanDocument", owner_id=draft.id, unit_id=world.c1.id, actor=author)
    province = login_as("officer", world.bdv)
    district = login_as("leader", world.d1b)
    for client in (province, district):
        for query in ({}, {"q": "nhap rieng xuat hoa"}, {"state": "draft"}, {"loc": "nhap"}):
            assert "Nháp riêng của Xuất Hóa" not in client.get("/van-ban/", query_string=query).get_data(
                as_text=True), query
        for url in ("", "/in", "/pdf", "/word", "/sua"):
            assert client.get(f"/van-ban/{draft.id}{url}").status_code == 404, url
        assert client.get(f"/tep/{attached.id}").status_code == 404              # nor its files
    listing = province.get("/van-ban/").get_data(as_text=True)
    assert "Nháp của Ban tỉnh" in listing                                 # its own drafts it sees
    assert "/ 1</span>" in listing                                        # and counts only them
    commune = login_as("viewer", world.c1)
    assert "Nháp riêng của Xuất Hóa" in commune.get("/van-ban/").get_data(as_text=True)
    assert commune.get(f"/van-ban/{draft.id}").status_code == 200
    assert commune.get(f"/tep/{attached.id}").status_code == 200
    documents.transition(draft, "submit", actor=author)
    assert "Nháp riêng của Xuất Hóa" in province.get("/van-ban/", query_string={"q": "xuat hoa"}).get_data(
        as_text=True)
    assert province.get(f"/van-ban/{draft.id}").status_code == 200
    assert province.get(f"/tep/{attached.id}").status_code == 200
    assert province.get(f"/van-ban/{own.id}").status_code == 200


# 5. the unit that approved; one menu entry -------------------------------------------------

def test_approving_unit_is_the_one_that_approved(db_session, world, login_as):
    officer = world.create_user(world.bdv, ["officer"])
    leader = world.create_user(world.bdv, ["leader"], full_name="Hoàng Thu Trang")
    doc = documents.create_document(world.bdv, DOC, actor=officer)
    viewer = login_as("viewer", world.bdv)
    documents.transition(doc, "submit", actor=officer)
    before = viewer.get(f"/van-ban/{doc.id}").get_data(as_text=True)
    assert re.search(r'id="document-approver">Lãnh đạo Tỉnh ủy Thử Nghiệm hoặc các ban', before)
    documents.transition(doc, "approve", actor=leader)
    after = viewer.get(f"/van-ban/{doc.id}").get_data(as_text=True)
    assert re.search(r'<dt>Đơn vị duyệt</dt><dd id="document-approver">Ban Dân vận Tỉnh ủy — Hoàng Thu Trang', after)
    assert "Cấp duyệt" not in after


def _current(html: str) -> list[str]:
    nav = re.search(r'<nav class="mainnav".*?</nav>', html, re.S).group(0)
    return re.findall(r'<a href="[^"]*" aria-current="page">([^<]+)</a>', nav)


def test_menu_highlights_only_the_current_section(db_session, world, login_as):
    call = _call(world.d1b, [world.c1])
    officer = login_as("officer", world.c1)
    for url, expected in (("/yeu-cau/", "Yêu cầu nộp"), (f"/yeu-cau/{call.id}", "Yêu cầu nộp"),
                          ("/van-ban/", "Văn bản"), (f"/van-ban/moi?call_id={call.id}", "Văn bản"),
                          ("/", "Trang chủ")):
        assert _current(officer.get(url).get_data(as_text=True)) == [expected], url


# 6. links only where they can be followed --------------------------------------------------

def test_parent_unit_and_decision_are_links_only_in_scope(db_session, world, login_as):
    from danvan.initiatives.models import InitiativeRecognition

    commune = login_as("officer", world.c1)
    page = commune.get(f"/don-vi/{world.c1.id}").get_data(as_text=True)
    assert "Huyện ủy Ba Bể" in page and f'href="/don-vi/{world.d1.id}"' not in page
    district = login_as("officer", world.d1b)
    assert f'href="/don-vi/{world.d1.id}"' in district.get(f"/don-vi/{world.c1.id}").get_data(as_text=True)

    decision = InitiativeRecognition(unit_id=world.d1.id, year=2024, number=3, number_text="3-QĐ/HU",
                                     decided_on=TODAY, title="Công nhận mô hình")
    db_session.add(decision)
    db_session.flush()
    model = make_initiative(world.c1, state="recognised", recognition_id=decision.id)
    page = commune.get(f"/dan-van-kheo/{model.id}").get_data(as_text=True)
    assert "Quyết định số 3-QĐ/HU của Huyện ủy Ba Bể" in page
    assert f"/dan-van-kheo/cong-nhan/{decision.id}" not in page
    assert commune.get(f"/dan-van-kheo/cong-nhan/{decision.id}").status_code == 404   # why it is not a link
    page = district.get(f"/dan-van-kheo/{model.id}").get_data(as_text=True)
    assert f'href="/dan-van-kheo/cong-nhan/{decision.id}"' in page


def test_call_page_links_a_draft_only_for_its_unit(db_session, world, login_as):
    """The district ban drafts the answer for its committee: the committee's own staff read the
    call's page but not the ban's draft, so no link to it; once sent, the link appears."""
    call = _call(world.bdv, [world.d1])
    author = world.create_user(world.d1b, ["officer"])
    doc = documents.create_document(world.d1b, {**DOC, "call": call}, actor=author)
    committee = login_as("officer", world.d1)
    page = committee.get(f"/yeu-cau/{call.id}").get_data(as_text=True)
    assert f"/van-ban/{doc.id}" not in page and "bản nháp đang soạn" in page
    assert committee.get(f"/van-ban/{doc.id}").status_code == 404
    documents.transition(doc, "submit", actor=author)
    assert f'href="/van-ban/{doc.id}"' in committee.get(f"/yeu-cau/{call.id}").get_data(as_text=True)
    assert committee.get(f"/van-ban/{doc.id}").status_code == 200


def test_one_section_even_when_a_blueprint_has_two_entries():
    """Calls were born inside the plans blueprint: "Văn bản" and "Yêu cầu nộp" shared it and were
    both highlighted. The page's own endpoint wins; otherwise the first entry of its blueprint."""
    from danvan.core.nav import NavItem, current

    docs = NavItem("Văn bản", "plans.index", "plans.view", 20)
    asks = NavItem("Yêu cầu nộp", "plans.calls", "calls.view", 21)
    items = [docs, asks]
    assert current(items, "plans.calls") is asks
    assert current(items, "plans.index") is docs
    assert current(items, "plans.document_detail") is docs
    assert current(items, "units.index") is None and current(items, None) is None

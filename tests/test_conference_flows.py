"""Issue 13 points 6 and 8 through HTTP: the unit's own invitation (điểm cầu, times, what to prepare),
pickers in tree order with each committee's Ban first, a tham luận placed before the closing item
with a time, a request withdrawn."""
from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from danvan.conferences.models import Conference, ConferenceContribution
from danvan.extensions import db
from tests.test_conferences import _new_data


@pytest.fixture
def officer(world, login_as):
    return login_as("officer", world.bdv)       # the province's Ban organises for the whole tree


def _text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)


def _create_at(officer, world, **kw):
    r = officer.post_form("/hoi-nghi/moi", _new_data(unit_id=world.bdv.id, **kw))
    assert r.status_code == 303, r.get_data(as_text=True)[:1000]
    return db.session.scalar(sa.select(Conference).order_by(Conference.id.desc()))


def test_picker_lists_units_in_tree_order_with_the_ban_first(officer, world):
    conf = _create_at(officer, world)
    page = officer.get(f"/hoi-nghi/{conf.id}").get_data(as_text=True)
    picker = page[page.index('id="point-units"'):] if 'id="point-units"' in page else page
    names = re.findall(r'name="unit_ids" value="\d+"[^>]*> ([^<]+?)</label>', picker)
    order = [world.p.name, world.bdv.name, world.e.name, world.d1.name, world.d1b.name, world.c1.name,
             world.c2.name, world.d2.name, world.c3.name]
    assert names[:len(order)] == order


def test_invitation_of_a_unit_says_its_point_times_and_what_to_prepare(officer, world):
    conf = _create_at(officer, world, online="y", end="11:30")
    officer.post_form(f"/hoi-nghi/{conf.id}/diem-cau", {"unit_ids": [world.d1.id]}, htmx=True)
    officer.post_form(f"/hoi-nghi/{conf.id}/khach-moi", {"unit_ids": [world.d1.id, world.d2.id],
                                                          "addressee": "Đồng chí Bí thư"}, htmx=True)
    officer.post_form(f"/hoi-nghi/{conf.id}/tham-luan", {"unit_ids": [world.d1.id], "topic": "Dân vận khéo",
                                                          "deadline": "05/12/2026"}, htmx=True)
    inv = {i.unit_id: i for i in conf.invitees}
    mine = _text(officer.get(f"/hoi-nghi/khach-moi/{inv[world.d1.id].id}/giay-moi.pdf").data)
    assert "Đơn vị dự tại điểm cầu Huyện ủy Ba Bể" in mine
    assert "Từ 08 giờ 00 phút đến 11 giờ 30 phút" in mine
    assert "“Dân vận khéo”" in mine and "05/12/2026" in mine
    assert "DANH SÁCH ĐIỂM CẦU" in mine                      # "danh sách kèm theo": attached
    other = _text(officer.get(f"/hoi-nghi/khach-moi/{inv[world.d2.id].id}/giay-moi.pdf").data)
    assert "Dân vận khéo" not in other and "Đơn vị dự tại điểm cầu Huyện ủy" not in other
    assert "Đơn vị dự tại điểm cầu chính: Hội trường Huyện ủy." in other       # no điểm cầu of its own
    officer.post_form(f"/hoi-nghi/{conf.id}/khach-moi", {"unit_ids": [world.c1.id]}, htmx=True)
    commune = next(i for i in conf.invitees if i.unit_id == world.c1.id)       # under Ba Bể: its district's
    assert "Đơn vị dự tại điểm cầu Huyện ủy Ba Bể" in _text(
        officer.get(f"/hoi-nghi/khach-moi/{commune.id}/giay-moi.pdf").data)


def test_tham_luan_goes_before_the_closing_item_with_a_time_and_can_be_withdrawn(officer, world, login_as):
    conf = _create_at(officer, world)
    for t, text in (("08:00", "Khai mạc"), ("08:15", "Báo cáo sơ kết"), ("10:30", "Kết luận hội nghị"),
                    ("11:15", "Bế mạc hội nghị")):
        officer.post_form(f"/hoi-nghi/{conf.id}/chuong-trinh", {"start_time": t, "content": text}, htmx=True)
    officer.post_form(f"/hoi-nghi/{conf.id}/tham-luan", {"unit_ids": [world.d1.id, world.d2.id],
                                                          "topic": "Kinh nghiệm", "deadline": "05/12/2026"}, htmx=True)
    first, second = conf.contributions
    first.state, first.title = "accepted", "Kinh nghiệm Ba Bể"
    db.session.flush()
    assert officer.post_form(f"/hoi-nghi/tham-luan/{first.id}/dua-vao-chuong-trinh").status_code == 303
    db.session.expire_all()
    items = [(i.start_time.strftime("%H:%M") if i.start_time else "", i.content) for i in conf.items]
    # before the whole closing run (the conclusion, then the closing), 15 minutes after the last item
    assert items == [("08:00", "Khai mạc"), ("08:15", "Báo cáo sơ kết"), ("08:30", "Tham luận: Kinh nghiệm Ba Bể"),
                     ("10:30", "Kết luận hội nghị"), ("11:15", "Bế mạc hội nghị")]
    assert officer.post_form(f"/hoi-nghi/tham-luan/{first.id}/rut").status_code == 303
    assert officer.post_form(f"/hoi-nghi/tham-luan/{second.id}/rut").status_code == 303
    db.session.expire_all()
    states = {c.id: c.state for c in db.session.scalars(sa.select(ConferenceContribution))}
    assert states == {first.id: "withdrawn", second.id: "withdrawn"}
    assert [i.content for i in conf.items] == ["Khai mạc", "Báo cáo sơ kết", "Kết luận hội nghị", "Bế mạc hội nghị"]
    asked = login_as("officer", world.d2)
    assert asked.post_form(f"/hoi-nghi/tham-luan/{second.id}/rut").status_code == 404   # not the organiser's


def test_invited_units_and_the_organiser_are_notified(officer, world, login_as):
    from danvan.notifications.models import Notification

    district = login_as("officer", world.d1)
    conf = _create_at(officer, world)
    officer.post_form(f"/hoi-nghi/{conf.id}/khach-moi", {"unit_ids": [world.d1.id], "addressee": "Đồng chí Bí thư"},
                      htmx=True)
    officer.post_form(f"/hoi-nghi/{conf.id}/tham-luan", {"unit_ids": [world.d1.id], "topic": "Dân vận khéo",
                                                          "deadline": "05/12/2026"}, htmx=True)
    assert officer.post_form(f"/hoi-nghi/{conf.id}/ban-hanh/giay-moi").status_code == 303
    c = conf.contributions[0]
    pdf = officer.get(f"/hoi-nghi/{conf.id}/in/chuong-trinh.pdf").data
    r = district.post_form(f"/hoi-nghi/tham-luan/{c.id}", {"title": "Kinh nghiệm", "presenter": "Lý Văn Minh",
                                                           "file": (io.BytesIO(pdf), "tham-luan.pdf")})
    assert r.status_code == 303
    officer.post_form(f"/hoi-nghi/tham-luan/{c.id}/xet", {"decision": "return", "reason": "Bổ sung số liệu"})

    def titles(user):
        return [n.title for n in db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id)
                                                    .order_by(Notification.id))]
    mine = titles(district.user)
    assert any(t.startswith("Đề nghị gửi tham luận «Dân vận khéo» trước ngày 05/12/2026") for t in mine)
    assert any(t.startswith("Giấy mời số 1-GM/BDVTU") for t in mine)
    assert any(t.startswith("Tham luận «Kinh nghiệm»: trả lại") for t in mine)
    assert any(t.startswith("Huyện ủy Ba Bể đã gửi tham luận «Kinh nghiệm»") for t in titles(officer.user))
    assert not any("đã gửi tham luận" in t for t in mine)


def test_each_document_has_its_own_signer_defaulting_to_the_unit_leader(officer, world, login_as):
    leader = world.create_user(world.bdv, ["leader"], full_name="Hoàng Văn Lãnh")
    leader.title = "Phó Trưởng Ban Dân vận Tỉnh ủy"     # the body is in the header: the block says PHÓ TRƯỞNG BAN
    form = officer.get("/hoi-nghi/moi").get_data(as_text=True)
    assert 'value="Hoàng Văn Lãnh"' in form and 'value="K/T TRƯỞNG BAN"' in form
    assert 'value="PHÓ TRƯỞNG BAN"' in form
    assert f'value="{officer.user.full_name}"' not in form          # not the officer who drafts
    conf = _create_at(officer, world)
    bad = officer.post_form(f"/hoi-nghi/{conf.id}/nguoi-ky/ket-luan",
                            {"ket-luan-authority": "THAY MẶT", "ket-luan-name": "X"})
    assert bad.status_code == 422 and "T/M, K/T hoặc T/L" in bad.get_data(as_text=True)
    ok = officer.post_form(f"/hoi-nghi/{conf.id}/nguoi-ky/chuong-trinh", {
        "chuong-trinh-authority": "t/l trưởng ban", "chuong-trinh-title": "Chánh Văn phòng",
        "chuong-trinh-name": "Trần Thị Chánh", "chuong-trinh-recipients": "- Các đồng chí đại biểu,\n- Lưu VP."})
    assert ok.status_code == 303
    programme = _text(officer.get(f"/hoi-nghi/{conf.id}/in/chuong-trinh.pdf").data)
    assert "T/L TRƯỞNG BAN" in programme and "CHÁNH VĂN PHÒNG" in programme and "Trần Thị Chánh" in programme
    assert "Các đồng chí đại biểu," in programme and "Lưu VP." in programme
    invitation = _text(officer.get(f"/hoi-nghi/{conf.id}/in/giay-moi.pdf").data)
    assert "Trần Thị Chánh" not in invitation
    assert officer.post_form(f"/hoi-nghi/{conf.id}/nguoi-ky/diem-cau", {"name": "X"}).status_code == 404
    stranger = login_as("officer", world.d2)
    assert stranger.post_form(f"/hoi-nghi/{conf.id}/nguoi-ky/ket-luan", {"name": "X"}).status_code == 404


# ---------------------------------------------------------------- point 8: rows edited in place

def _rows(officer, conf):
    officer.post_form(f"/hoi-nghi/{conf.id}/chu-tri", {"name": "Ma Văn Cường", "title": "Phó Bí thư"}, htmx=True)
    officer.post_form(f"/hoi-nghi/{conf.id}/diem-cau", {"unit_ids": [conf.unit_id]}, htmx=True)
    officer.post_form(f"/hoi-nghi/{conf.id}/chuong-trinh", {"start_time": "08:00", "content": "Khai mạc"}, htmx=True)
    return {"chair": conf.chairs[0], "point": conf.points[0], "item": conf.items[0]}


# kind, its URL part, good input, the column it changes, bad input and the message shown in the row
ROWS = [
    ("chair", "chu-tri", {"name": "Hà Thị Liễu", "title": "Trưởng Ban"}, ("name", "Hà Thị Liễu"),
     [({"name": "  "}, "Nhập họ tên người chủ trì."), ({"name": "x" * 121}, "Tối đa 120 ký tự.")]),
    ("point", "diem-cau", {"venue": "Nhà văn hóa thôn Bản Pjạc", "contact_name": "Hoàng Văn Dũng",
                           "contact_phone": "0912 345 678"}, ("venue", "Nhà văn hóa thôn Bản Pjạc"),
     [({"venue": "x" * 301}, "Tối đa 300 ký tự."), ({"contact_phone": "9" * 41}, "Tối đa 40 ký tự.")]),
    ("item", "chuong-trinh", {"start_time": "08:05", "content": "Khai mạc, giới thiệu đại biểu",
                              "presenter": "Văn phòng"}, ("content", "Khai mạc, giới thiệu đại biểu"),
     [({"content": ""}, "Nhập nội dung."), ({"content": "x", "start_time": "25:99"}, "Giờ không hợp lệ (hh:mm)."),
      ({"content": "x" * 501}, "Tối đa 500 ký tự.")]),
]


@pytest.mark.parametrize("kind, path, good, changed, bad", ROWS, ids=[r[0] for r in ROWS])
def test_rows_are_edited_in_place(officer, world, login_as, kind, path, good, changed, bad):
    from danvan.core.audit import AuditEvent

    conf = _create_at(officer, world)
    row = _rows(officer, conf)[kind]
    pre = f"{kind}-{row.id}-"
    opened = officer.hx_get(f"/hoi-nghi/{path}/{row.id}/sua")
    html = opened.get_data(as_text=True)
    assert opened.status_code == 200 and html.lstrip().startswith(("<tr", "<li", "\n<tr", "\n<li"))
    assert f'id="{kind}-{row.id}"' in html and f'name="{pre}version" type="hidden" value="1"' in html
    version = row.version
    for values, message in bad:
        data = {pre + k: v for k, v in values.items()} | {pre + "version": version}
        if kind == "item":
            data.setdefault(pre + "start_time", "")
        r = officer.post_form(f"/hoi-nghi/{path}/{row.id}/sua", data, htmx=True)
        body = r.get_data(as_text=True)
        assert r.status_code == 422, (values, body[:500])
        assert f'id="{kind}-{row.id}"' in body and message in body, (message, body[:2000])
    db.session.refresh(row)
    assert row.version == version                       # nothing saved
    data = {pre + k: v for k, v in good.items()} | {pre + "version": version}
    r = officer.post_form(f"/hoi-nghi/{path}/{row.id}/sua", data, htmx=True)
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and f'id="{kind}-{row.id}"' in body and changed[1] in body and "<form" not in body
    db.session.refresh(row)
    assert getattr(row, changed[0]) == changed[1] and row.version == version + 1
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.object_id == row.id,
                                                           AuditEvent.object_type == type(row).__name__)
                               .order_by(AuditEvent.id.desc())).first()
    assert event is not None and changed[1] in event.changes
    # a form opened before that save is stale: 409 in the row, the typed text kept, nothing overwritten
    stale = {pre + k: "Bản cũ" if k in ("name", "venue", "content") else v for k, v in good.items()}
    r = officer.post_form(f"/hoi-nghi/{path}/{row.id}/sua", stale | {pre + "version": version}, htmx=True)
    body = r.get_data(as_text=True)
    assert r.status_code == 409 and "vừa được người khác cập nhật" in body and 'value="Bản cũ"' in body
    db.session.refresh(row)
    assert getattr(row, changed[0]) == changed[1]
    # "Hủy" fetches the row as shown; without htmx the page opens with the row's form, a save redirects
    cancel = officer.hx_get(f"/hoi-nghi/{path}/{row.id}").get_data(as_text=True)
    assert changed[1] in cancel and "<form" not in cancel
    page = officer.get(f"/hoi-nghi/{path}/{row.id}/sua").get_data(as_text=True)
    assert "<html" in page and f'name="{pre}version"' in page
    data[pre + "version"] = row.version
    assert officer.post_form(f"/hoi-nghi/{path}/{row.id}/sua", data).status_code == 303
    # another tree's officer: 404, a viewer of the tree: 403
    assert login_as("officer", world.d2).hx_get(f"/hoi-nghi/{path}/{row.id}/sua").status_code == 404
    viewer = login_as("viewer", world.bdv)
    assert viewer.post_form(f"/hoi-nghi/{path}/{row.id}/sua", data, htmx=True).status_code == 403


def test_invitation_docx_says_what_the_pdf_says_and_carries_its_lists(officer, world):
    """Point 7 for the Giấy mời: the Word file has the unit's điểm cầu and tham luận lines and the lists
    "kèm theo", each after a page break with its header row repeated."""
    from docx import Document

    conf = _create_at(officer, world, online="y")
    officer.post_form(f"/hoi-nghi/{conf.id}/diem-cau", {"unit_ids": [world.d1.id, world.d2.id]}, htmx=True)
    officer.post_form(f"/hoi-nghi/{conf.id}/khach-moi", {"unit_ids": [world.d1.id]}, htmx=True)
    officer.post_form(f"/hoi-nghi/{conf.id}/tham-luan", {"unit_ids": [world.d1.id], "topic": "Dân vận khéo",
                                                          "deadline": "05/12/2026"}, htmx=True)
    doc = Document(io.BytesIO(officer.get(f"/hoi-nghi/{conf.id}/word/giay-moi.docx").data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Đơn vị dự tại điểm cầu Huyện ủy Ba Bể" in text
    assert "Đề nghị đơn vị chuẩn bị tham luận với chủ đề “Dân vận khéo”" in text
    assert "DANH SÁCH ĐIỂM CẦU" in text and "(Kèm theo Giấy mời" in text
    assert text.index("DANH SÁCH ĐIỂM CẦU") > text.index("GIẤY MỜI")
    assert 'w:type="page"' in doc.element.body.xml                     # the list starts on its own page
    listed = [t for t in doc.tables if "Điểm cầu" in t.rows[0].cells[1].text]
    assert listed and "tblHeader" in listed[0].rows[0]._tr.xml          # its header row repeats
    assert {r.cells[1].text for r in listed[0].rows[1:]} == {world.d1.name, world.d2.name}

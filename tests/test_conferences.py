"""Conferences through HTTP: scope, điểm cầu, invitees, agenda, tham luận, numbers, documents, bad input."""
from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from danvan.conferences.models import (
    Conference,
    ConferenceContribution,
    ConferenceInvitee,
    ConferenceItem,
    ConferencePoint,
)
from danvan.extensions import db
from tests.samples.conferences import make_conference

PDF_HEAD = b"%PDF-"


def _new_data(**kw):
    data = {"kind": "tong_ket", "title": "Hội nghị tổng kết Đề án 06", "day": "10/12/2026", "start": "08:00",
            "end": "11:30", "venue": "Hội trường Huyện ủy", "signer_authority": "T/M BAN THƯỜNG VỤ",
            "signer_title": "PHÓ BÍ THƯ", "signer_name": "Ma Văn Cường", "recipients": "Như trên\nLưu VP"}
    data.update(kw)
    return data


def _pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def officer(world, login_as):
    return login_as("officer", world.d1b)


def _create(officer, world, **kw):
    r = officer.post_form("/hoi-nghi/moi", _new_data(unit_id=world.d1b.id, **kw))
    assert r.status_code == 303, r.get_data(as_text=True)[:2000]
    return db.session.scalar(sa.select(Conference).order_by(Conference.id.desc()))


def test_create_stores_times_in_utc_and_lists_in_scope_only(officer, world, login_as):
    conf = _create(officer, world)
    assert conf.starts_at == datetime(2026, 12, 10, 1, 0, tzinfo=UTC)
    assert conf.unit_id == world.d1b.id
    assert "tổng kết Đề án 06" in officer.get("/hoi-nghi/?q=tong ket de an").get_data(as_text=True)
    other = login_as("officer", world.c3)
    assert "Đề án 06" not in other.get("/hoi-nghi/").get_data(as_text=True)
    assert other.get(f"/hoi-nghi/{conf.id}").status_code == 404
    commune = login_as("viewer", world.c1)
    assert commune.get(f"/hoi-nghi/{conf.id}").status_code == 404   # a commune does not see the district's


@pytest.mark.parametrize("changes, message", [
    ({"end": "07:00"}, "Thời gian kết thúc phải sau thời gian bắt đầu."),
    ({"title": "x" * 500}, "Tối đa 300 ký tự."),
    ({"title": ""}, "Nhập tên hội nghị."),
    ({"day": "31/02/2026"}, "Ngày không hợp lệ"),
    ({"day": "10/12/26"}, "Ngày không hợp lệ"),
])
def test_bad_conference_input_gives_422_and_message(officer, world, changes, message):
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Conference))
    r = officer.post_form("/hoi-nghi/moi", _new_data(unit_id=world.d1b.id, **changes))
    assert r.status_code == 422
    assert message in r.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Conference)) == before


def test_points_many_at_once_and_outside_scope_refused(officer, world):
    conf = _create(officer, world)
    r = officer.post_form(f"/hoi-nghi/{conf.id}/diem-cau", {"unit_ids": [world.c1.id, world.c2.id]}, htmx=True)
    assert r.status_code == 200 and "Phường Xuất Hóa" in r.get_data(as_text=True)
    assert {p.unit_id for p in conf.points} == {world.c1.id, world.c2.id}
    assert conf.points[0].venue == "Hội trường Phường Xuất Hóa"
    r = officer.post_form(f"/hoi-nghi/{conf.id}/diem-cau", {"unit_ids": [world.c3.id]}, htmx=True)
    assert r.status_code == 422
    assert "nằm ngoài phạm vi của đơn vị tổ chức" in r.get_data(as_text=True)
    stmt = sa.select(ConferencePoint).where(ConferencePoint.conference_id == conf.id)
    assert len(db.session.scalars(stmt).all()) == 2
    r = officer.post_form(f"/hoi-nghi/{conf.id}/diem-cau", {}, htmx=True)
    assert r.status_code == 422 and "Chọn ít nhất một đơn vị." in r.get_data(as_text=True)
    point_id = conf.points[0].id
    assert officer.post_form(f"/hoi-nghi/diem-cau/{point_id}/xoa", htmx=True).get_data() == b""
    assert db.session.scalar(sa.select(sa.func.count()).where(ConferencePoint.id == point_id)) == 0


def test_invitees_confirm_attendance_by_invited_unit(officer, world, login_as):
    conf = _create(officer, world)
    officer.post_form(f"/hoi-nghi/{conf.id}/khach-moi", {"unit_ids": [world.c1.id, world.c2.id],
                                                          "addressee": "Đồng chí Bí thư Đảng ủy"})
    inv = db.session.scalar(sa.select(ConferenceInvitee).where(ConferenceInvitee.unit_id == world.c1.id))
    assert inv.addressee == "Đồng chí Bí thư Đảng ủy Phường Xuất Hóa"
    commune = login_as("officer", world.c1)
    assert "Hội nghị tổng kết Đề án 06" in commune.get("/hoi-nghi/").get_data(as_text=True)
    r = commune.post_form(f"/hoi-nghi/khach-moi/{inv.id}/xac-nhan", {"status": "confirmed", "delegates": "0"})
    assert r.status_code == 422 and "Số đại biểu tham dự phải từ 1 trở lên." in r.get_data(as_text=True)
    r = commune.post_form(f"/hoi-nghi/khach-moi/{inv.id}/xac-nhan", {"status": "confirmed", "delegates": "3"})
    assert r.status_code == 303
    db.session.refresh(inv)
    assert (inv.status, inv.delegates) == ("confirmed", 3)
    sibling = login_as("officer", world.c2)
    assert sibling.post_form(f"/hoi-nghi/khach-moi/{inv.id}/xac-nhan", {"status": "declined"}).status_code == 404
    wb = load_workbook(io.BytesIO(officer.get(f"/hoi-nghi/{conf.id}/excel/dai-bieu.xlsx").data))
    ws = wb.active
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert rows[0][1] == "Phường Xuất Hóa" and rows[0][4] == 3 and isinstance(rows[0][5], datetime)
    assert ws.cell(row=4, column=6).number_format.startswith("DD/MM/YYYY")


def test_agenda_order_and_contribution_flow(officer, world, login_as, tmp_path, run_jobs):
    conf = _create(officer, world)
    for t, text in (("08:00", "Khai mạc"), ("08:15", "Báo cáo tổng kết")):
        r = officer.post_form(f"/hoi-nghi/{conf.id}/chuong-trinh", {"start_time": t, "content": text}, htmx=True)
        assert r.status_code == 200
    r = officer.post_form(f"/hoi-nghi/{conf.id}/chuong-trinh", {"content": ""}, htmx=True)
    assert r.status_code == 422 and "Nhập nội dung." in r.get_data(as_text=True)
    second = db.session.scalar(sa.select(ConferenceItem).where(ConferenceItem.content == "Báo cáo tổng kết"))
    officer.post_form(f"/hoi-nghi/chuong-trinh/{second.id}/di-chuyen", {"direction": "up"}, htmx=True)
    db.session.expire_all()
    assert [i.content for i in db.session.get(Conference, conf.id).items] == ["Báo cáo tổng kết", "Khai mạc"]

    r = officer.post_form(f"/hoi-nghi/{conf.id}/tham-luan", {"unit_ids": [world.c1.id], "topic": "Dân vận khéo",
                                                              "deadline": "05/12/2026"}, htmx=True)
    assert r.status_code == 200
    c = db.session.scalar(sa.select(ConferenceContribution).where(ConferenceContribution.conference_id == conf.id))
    r = officer.post_form(f"/hoi-nghi/{conf.id}/tham-luan", {"unit_ids": [world.c2.id], "topic": "X",
                                                              "deadline": "20/12/2026"}, htmx=True)
    assert r.status_code == 422 and "Hạn gửi phải trước ngày hội nghị." in r.get_data(as_text=True)
    commune = login_as("officer", world.c1)
    bad = commune.post_form(f"/hoi-nghi/tham-luan/{c.id}", {"title": "Kinh nghiệm", "file": (io.BytesIO(b"MZ..."),
                                                                                             "virus.pdf")})
    assert bad.status_code == 422 and "không đúng định dạng" in bad.get_data(as_text=True)
    from danvan import printing
    from danvan.printing import samples as print_samples
    with officer.application.app_context():
        pdf = printing.render_pdf("print/conference_invitation.html", doc=print_samples.invitation(
            invitee="Nội dung tham luận Xuất Hóa"))
    r = commune.post_form(f"/hoi-nghi/tham-luan/{c.id}", {"title": "Kinh nghiệm dân vận khéo ở phường",
                                                          "presenter": "Lý Văn Minh",
                                                          "file": (io.BytesIO(pdf), "tham-luan.pdf")})
    assert r.status_code == 303
    db.session.refresh(c)
    assert c.state == "submitted"
    # the contributor cannot accept its own contribution
    assert commune.post_form(f"/hoi-nghi/tham-luan/{c.id}/xet", {"decision": "accept"}).status_code == 404
    r = officer.post_form(f"/hoi-nghi/tham-luan/{c.id}/xet", {"decision": "return", "reason": ""})
    db.session.refresh(c)
    assert c.state == "submitted"
    officer.post_form(f"/hoi-nghi/tham-luan/{c.id}/xet", {"decision": "accept"})
    db.session.refresh(c)
    assert c.state == "accepted"
    officer.post_form(f"/hoi-nghi/tham-luan/{c.id}/dua-vao-chuong-trinh")
    db.session.expire_all()
    conf = db.session.get(Conference, conf.id)
    assert conf.items[-1].contribution_id == c.id

    job_page = officer.post_form(f"/hoi-nghi/{conf.id}/bo-tai-lieu.pdf")   # a background job
    assert job_page.status_code == 303 and run_jobs() == ["done"]
    packet = officer.get(job_page.headers["Location"] + "/tai-ve")
    assert packet.status_code == 200 and packet.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(packet.data))
    titles = [o.title for o in reader.outline if not isinstance(o, list)]
    assert titles[0] == "Mục lục" and "Chương trình hội nghị" in titles
    assert titles[-1] == "Tham luận: Kinh nghiệm dân vận khéo ở phường (Phường Xuất Hóa)"
    assert "Nội dung tham luận Xuất Hóa" in reader.pages[-1].extract_text()
    assert "MỤC LỤC" in reader.pages[0].extract_text()


def test_numbers_assigned_on_issue_and_printed(officer, world):
    conf = _create(officer, world)
    r = officer.post_form(f"/hoi-nghi/{conf.id}/ban-hanh/giay-moi", follow_redirects=True)
    assert "Chưa có đơn vị được mời" in r.get_data(as_text=True)
    officer.post_form(f"/hoi-nghi/{conf.id}/khach-moi", {"unit_ids": [world.c1.id, world.c2.id]})
    officer.post_form(f"/hoi-nghi/{conf.id}/ban-hanh/giay-moi")
    officer.post_form(f"/hoi-nghi/{conf.id}/ban-hanh/giay-moi")          # issuing twice keeps the number
    officer.post_form(f"/hoi-nghi/{conf.id}/ban-hanh/chuong-trinh")
    db.session.expire_all()
    conf = db.session.get(Conference, conf.id)
    assert conf.document("giay-moi").number_text == "1-GM/BDVHU"
    assert conf.document("chuong-trinh").number_text == "1-CTr/BDVHU"
    pdf = officer.get(f"/hoi-nghi/{conf.id}/in/giay-moi.pdf").data
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2                                          # one invitation per unit, one file
    text = " ".join(_pdf_text(pdf).split())
    today = datetime.now(UTC).astimezone(__import__("danvan.core.vntext", fromlist=["TZ"]).TZ).date()
    for expected in ("ĐẢNG CỘNG SẢN VIỆT NAM", "HUYỆN ỦY BA BỂ", "BAN DÂN VẬN", "Số 1-GM/BDVHU",
                     f"ngày {today.day:02d} tháng", "Phường Xuất Hóa", "Xã Nam Mẫu", "10/12/2026",
                     "08 giờ 00 phút", "T/M BAN THƯỜNG VỤ", "Ma Văn Cường"):
        assert expected in text, expected
    one = officer.get(f"/hoi-nghi/khach-moi/{conf.invitees[0].id}/giay-moi.pdf").data
    assert len(PdfReader(io.BytesIO(one)).pages) == 1
    programme = _pdf_text(officer.get(f"/hoi-nghi/{conf.id}/in/chuong-trinh.pdf").data)
    assert "Số 1-CTr/BDVHU" in programme and "(Chương trình chưa có nội dung)" in programme  # 0 items
    docx = Document(io.BytesIO(officer.get(f"/hoi-nghi/{conf.id}/word/chuong-trinh.docx").data))
    all_text = "\n".join(p.text for p in docx.paragraphs) + "\n".join(
        c.text for t in docx.tables for row in t.rows for c in row.cells)
    assert "Số 1-CTr/BDVHU" in all_text and "CHƯƠNG TRÌNH HỘI NGHỊ" in all_text
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in all_text


def test_html_and_file_urls_in_text_are_printed_not_fetched(officer, world):
    evil = '<img src="file:///etc/passwd"> <b>x</b>'
    conf = _create(officer, world, title=f"Hội nghị {evil}", venue=evil, notes=evil)
    officer.post_form(f"/hoi-nghi/{conf.id}/chuong-trinh", {"content": evil, "presenter": evil}, htmx=True)
    officer.post_form(f"/hoi-nghi/{conf.id}/chu-tri", {"name": evil, "title": evil}, htmx=True)
    from danvan import printing
    with officer.application.app_context():
        before = len(printing.renderer().fetcher.refused)
    for key in ("giay-moi", "chuong-trinh", "diem-cau", "tham-luan", "ket-luan"):
        r = officer.get(f"/hoi-nghi/{conf.id}/in/{key}.pdf")
        assert r.status_code == 200 and r.data.startswith(PDF_HEAD)
        assert b"root:x:0" not in r.data
        if key in ("giay-moi", "chuong-trinh"):
            assert '<img src="file:///etc/passwd">' in _pdf_text(r.data)
        assert officer.get(f"/hoi-nghi/{conf.id}/word/{key}.docx").status_code == 200
    with officer.application.app_context():
        assert len(printing.renderer().fetcher.refused) == before
    page = officer.get(f"/hoi-nghi/{conf.id}").get_data(as_text=True)
    assert "<img src=\"file:///etc/passwd\">" not in page and "&lt;img" in page


def test_conclusion_only_after_the_meeting(officer, world):
    conf = _create(officer, world)
    r = officer.post_form(f"/hoi-nghi/{conf.id}/ket-luan", {"conclusion": "Đề nghị các đơn vị…"})
    assert r.status_code == 422 and "Chỉ ghi kết luận sau khi hội nghị đã diễn ra." in r.get_data(as_text=True)
    conf.starts_at = datetime.now(UTC) - timedelta(days=2)
    conf.ends_at = conf.starts_at + timedelta(hours=3)
    db.session.flush()
    r = officer.post_form(f"/hoi-nghi/{conf.id}/ket-luan", {"conclusion": "Đề nghị các đơn vị bổ sung số liệu."})
    assert r.status_code == 303
    officer.post_form(f"/hoi-nghi/{conf.id}/ban-hanh/ket-luan")
    text = _pdf_text(officer.get(f"/hoi-nghi/{conf.id}/in/ket-luan.pdf").data)
    assert "THÔNG BÁO KẾT LUẬN" in text and "Số 1-TB/BDVHU" in text and "bổ sung số liệu" in text


def test_list_page_query_count_is_constant(officer, world, count_queries):
    for i in range(3):
        make_conference(world.d1b, title=f"Hội nghị {i}")
    with count_queries() as small:
        officer.get("/hoi-nghi/")
    for i in range(15):
        make_conference(world.c1, title=f"Hội nghị thêm {i}")
    with count_queries() as large:
        officer.get("/hoi-nghi/")
    assert large.count == small.count

"""Units taking part in another unit's conference (invitee, điểm cầu, tham luận) read it, without organiser
controls, and print its public documents only; everyone else still gets 404."""
from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from danvan.conferences import contributions
from danvan.conferences.models import (
    ConferenceChair,
    ConferenceContribution,
    ConferenceInvitee,
    ConferenceItem,
    ConferencePoint,
)
from danvan.core.files import Attachment
from danvan.extensions import db
from tests.samples.conferences import blank_pdf, make_conference

TITLE = "Hội nghị tổng kết công tác dân vận toàn tỉnh"


@pytest.fixture
def setup(world, login_as):
    """The province's Ban Dân vận organises; C1 and C3 are invited, host a điểm cầu and owe a tham luận
    (C3 has sent its file); C2 (C1's sibling) takes no part."""
    conf = make_conference(world.bdv, title=TITLE)
    conf.chairs.append(ConferenceChair(name="Hoàng Thị Hạnh", title="Trưởng Ban Dân vận Tỉnh ủy", position=1))
    conf.items.append(ConferenceItem(content="Báo cáo tổng kết công tác dân vận", position=1, start_time=time(8)))
    for unit in (world.c1, world.c3):
        conf.invitees.append(ConferenceInvitee(unit=unit, addressee=f"Bí thư {unit.name}"))
        conf.points.append(ConferencePoint(unit=unit, venue=f"Hội trường {unit.name}"))
        conf.contributions.append(ConferenceContribution(unit=unit, topic=f"Chủ đề của {unit.name}",
                                                         deadline=date(2026, 12, 5), state="invited"))
    db.session.flush()
    organiser = login_as("officer", world.bdv)
    inv = {i.unit_id: i for i in conf.invitees}
    contrib = {c.unit_id: c for c in conf.contributions}
    c3 = login_as("officer", world.c3)
    r = c3.post_form(f"/hoi-nghi/tham-luan/{contrib[world.c3.id].id}",
                     {"title": "Tham luận bí mật Bằng Lũng", "file": (io.BytesIO(blank_pdf()), "bang-lung.pdf")})
    assert r.status_code == 303, r.get_data(as_text=True)[:1000]
    attachment = db.session.scalar(sa.select(Attachment).where(
        Attachment.owner_type == contributions.CONTRIBUTION_OWNER, Attachment.owner_id == contrib[world.c3.id].id))
    return dict(conf=conf, organiser=organiser, inv=inv, contrib=contrib, attachment=attachment)


ORGANISER_MARKS = ("Cấp số, phát hành", "Lưu trữ", "Thêm người chủ trì", "Thêm các điểm cầu đã chọn",
                   "Mời các đơn vị đã chọn", "Thêm mục", "Gửi đề nghị", "Lưu kết luận", "Ghi xác nhận",
                   "hx-post", "/sua\"", "Bộ tài liệu hội nghị", "Danh sách đại biểu", "Đưa vào chương trình")


def test_invited_commune_reads_without_organiser_controls(setup, world, login_as):
    conf, inv, contrib = setup["conf"], setup["inv"], setup["contrib"]
    commune = login_as("officer", world.c1)
    r = commune.get(f"/hoi-nghi/{conf.id}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    for text in (TITLE, "Ban Dân vận Tỉnh ủy", "Hội trường", "Hoàng Thị Hạnh", "Báo cáo tổng kết công tác dân vận",
                 "Hội trường Thị trấn Bằng Lũng", "Bí thư Phường Xuất Hóa", "Chủ đề của Phường Xuất Hóa",
                 "Giấy mời gửi đơn vị tôi", "Chương trình hội nghị", "Danh sách điểm cầu"):
        assert text in html, text
    for text in ORGANISER_MARKS:
        assert text not in html, text
    # nothing of the other invitee beyond the list of điểm cầu
    for text in ("Bí thư Thị trấn Bằng Lũng", "Chủ đề của Thị trấn Bằng Lũng", "Tham luận bí mật", "bang-lung.pdf"):
        assert text not in html, text
    assert f"/khach-moi/{inv[world.c1.id].id}/xac-nhan" in html        # its own attendance form
    assert f"/khach-moi/{inv[world.c3.id].id}/" not in html
    assert "Thông báo kết luận" not in html and 'id="conclusion"' not in html    # not issued yet

    pdf = commune.get(f"/hoi-nghi/{conf.id}/in/chuong-trinh.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    assert commune.get(f"/hoi-nghi/{conf.id}/word/diem-cau.docx").status_code == 200
    assert commune.get(f"/hoi-nghi/{conf.id}/excel/diem-cau.xlsx").status_code == 200
    own = commune.get(f"/hoi-nghi/khach-moi/{inv[world.c1.id].id}/giay-moi.pdf")
    assert own.status_code == 200 and own.data.startswith(b"%PDF-")
    for url in (f"/hoi-nghi/khach-moi/{inv[world.c3.id].id}/giay-moi.pdf",
                f"/hoi-nghi/tham-luan/{contrib[world.c3.id].id}",
                f"/hoi-nghi/{conf.id}/excel/dai-bieu.xlsx",
                f"/hoi-nghi/{conf.id}/in/giay-moi.pdf", f"/hoi-nghi/{conf.id}/word/giay-moi.docx",
                f"/hoi-nghi/{conf.id}/in/tham-luan.pdf", f"/hoi-nghi/{conf.id}/in/ket-luan.pdf",
                f"/hoi-nghi/{conf.id}/sua"):
        assert commune.get(url).status_code == 404, url
    assert commune.post_form(f"/hoi-nghi/{conf.id}/bo-tai-lieu.pdf").status_code == 404
    with commune.application.test_request_context():
        from flask import url_for
        download = url_for("attachments.download", attachment_id=setup["attachment"].id)
    assert commune.get(download).status_code == 404
    assert setup["organiser"].get(download).status_code == 200
    assert commune.get(f"/hoi-nghi/tham-luan/{contrib[world.c1.id].id}").status_code == 200


def test_conclusion_readable_once_issued(setup, world, login_as):
    conf = setup["conf"]
    commune = login_as("viewer", world.c1)
    conf.starts_at = datetime.now(UTC) - timedelta(days=2)
    conf.ends_at = conf.starts_at + timedelta(hours=3)
    conf.conclusion = "Biểu dương các đơn vị làm tốt công tác dân vận."
    db.session.flush()
    assert commune.get(f"/hoi-nghi/{conf.id}/in/ket-luan.pdf").status_code == 404
    assert "Biểu dương" not in commune.get(f"/hoi-nghi/{conf.id}").get_data(as_text=True)
    assert setup["organiser"].post_form(f"/hoi-nghi/{conf.id}/ban-hanh/ket-luan").status_code == 303
    r = commune.get(f"/hoi-nghi/{conf.id}/in/ket-luan.pdf")
    assert r.status_code == 200 and r.data.startswith(b"%PDF-")
    html = commune.get(f"/hoi-nghi/{conf.id}").get_data(as_text=True)
    assert "Biểu dương các đơn vị làm tốt công tác dân vận." in html and "Lưu kết luận" not in html


def test_organiser_routes_refused_to_participant(setup, world, login_as):
    conf, inv, contrib = setup["conf"], setup["inv"], setup["contrib"]
    commune = login_as("officer", world.c1)
    chair, point, item = conf.chairs[0], conf.points[0], conf.items[0]
    posts = {
        f"/hoi-nghi/{conf.id}/sua": {"title": "Đổi tên"},
        f"/hoi-nghi/{conf.id}/luu-tru": {},
        f"/hoi-nghi/{conf.id}/chu-tri": {"name": "Ai đó"},
        f"/hoi-nghi/chu-tri/{chair.id}/xoa": {},
        f"/hoi-nghi/{conf.id}/diem-cau": {"unit_ids": [world.c1.id]},
        f"/hoi-nghi/diem-cau/{point.id}/xoa": {},
        f"/hoi-nghi/{conf.id}/khach-moi": {"unit_ids": [world.c1.id]},
        f"/hoi-nghi/khach-moi/{inv[world.c1.id].id}/xoa": {},
        f"/hoi-nghi/khach-moi/{inv[world.c3.id].id}/xac-nhan": {"status": "declined"},
        f"/hoi-nghi/{conf.id}/chuong-trinh": {"content": "Chen mục"},
        f"/hoi-nghi/chuong-trinh/{item.id}/xoa": {},
        f"/hoi-nghi/chuong-trinh/{item.id}/di-chuyen": {"direction": "up"},
        f"/hoi-nghi/{conf.id}/tham-luan": {"unit_ids": [world.c1.id], "topic": "X", "deadline": "01/12/2026"},
        f"/hoi-nghi/tham-luan/{contrib[world.c3.id].id}/xet": {"decision": "accept"},
        f"/hoi-nghi/tham-luan/{contrib[world.c1.id].id}/xet": {"decision": "accept"},
        f"/hoi-nghi/tham-luan/{contrib[world.c1.id].id}/dua-vao-chuong-trinh": {},
        f"/hoi-nghi/{conf.id}/ket-luan": {"conclusion": "Kết luận giả"},
        f"/hoi-nghi/{conf.id}/ban-hanh/chuong-trinh": {},
    }
    for url, data in posts.items():
        assert commune.post_form(url, data).status_code == 404, url   # organiser-only: not found for others
    db.session.expire_all()
    assert len(conf.chairs) == 1 and len(conf.points) == 2 and len(conf.invitees) == 2 and len(conf.items) == 1
    assert conf.title == TITLE and conf.archived_at is None and not conf.documents and not conf.conclusion
    assert db.session.get(ConferenceContribution, contrib[world.c3.id].id).state == "submitted"


def test_sibling_not_taking_part_gets_404(setup, world, login_as):
    conf, inv = setup["conf"], setup["inv"]
    sibling = login_as("officer", world.c2)
    for url in (f"/hoi-nghi/{conf.id}", f"/hoi-nghi/{conf.id}/in/chuong-trinh.pdf",
                f"/hoi-nghi/{conf.id}/word/diem-cau.docx", f"/hoi-nghi/{conf.id}/excel/diem-cau.xlsx",
                f"/hoi-nghi/khach-moi/{inv[world.c1.id].id}/giay-moi.pdf", "/hoi-nghi/999999"):
        assert sibling.get(url).status_code == 404, url
    assert TITLE not in sibling.get("/hoi-nghi/").get_data(as_text=True)
    # archived: nobody outside the organiser reads it any more
    conf.archived_at = datetime.now(UTC)
    db.session.flush()
    assert login_as("officer", world.c1).get(f"/hoi-nghi/{conf.id}").status_code == 404


def test_invited_commune_confirms_and_lands_on_the_conference(setup, world, login_as):
    conf, inv = setup["conf"], setup["inv"]
    commune = login_as("officer", world.c1)
    r = commune.post_form(f"/hoi-nghi/khach-moi/{inv[world.c1.id].id}/xac-nhan",
                          {"status": "confirmed", "delegates": "3"})
    assert r.status_code == 303 and r.headers["Location"] == f"/hoi-nghi/{conf.id}"
    page = commune.get(r.headers["Location"]).get_data(as_text=True)
    assert "Đã ghi xác nhận" in page and TITLE in page
    assert db.session.get(ConferenceInvitee, inv[world.c1.id].id).delegates == 3


def test_viewer_reads_but_cannot_confirm(setup, world, login_as):
    conf, inv = setup["conf"], setup["inv"]
    viewer = login_as("viewer", world.c1)
    html = viewer.get(f"/hoi-nghi/{conf.id}").get_data(as_text=True)
    assert TITLE in html and "Xác nhận tham dự" not in html and "/xac-nhan" not in html
    r = viewer.post_form(f"/hoi-nghi/khach-moi/{inv[world.c1.id].id}/xac-nhan", {"status": "confirmed",
                                                                                "delegates": "2"})
    assert r.status_code == 403
    assert db.session.get(ConferenceInvitee, inv[world.c1.id].id).status == "pending"
    assert viewer.get(f"/hoi-nghi/khach-moi/{inv[world.c1.id].id}/giay-moi.pdf").status_code == 200


def test_ban_reads_for_its_committee_and_units_below(world, login_as):
    conf = make_conference(world.bdv, title="Hội nghị chuyên đề dân vận khéo")
    conf.points.append(ConferencePoint(unit=world.d1, venue="Hội trường Huyện ủy Ba Bể"))
    db.session.flush()
    district_ban = login_as("viewer", world.d1b)
    assert district_ban.get(f"/hoi-nghi/{conf.id}").status_code == 200
    assert login_as("viewer", world.c1).get(f"/hoi-nghi/{conf.id}").status_code == 404   # the district's, not C1's
    assert login_as("viewer", world.d2).get(f"/hoi-nghi/{conf.id}").status_code == 404


def test_list_shows_participant_section(setup, world, login_as):
    html = login_as("viewer", world.c1).get("/hoi-nghi/").get_data(as_text=True)
    assert "Hội nghị đơn vị được mời / là điểm cầu" in html
    section = html.split("Hội nghị đơn vị được mời / là điểm cầu", 1)[1]
    assert f'href="/hoi-nghi/{setup["conf"].id}"' in section and TITLE in section
    organiser_html = setup["organiser"].get("/hoi-nghi/").get_data(as_text=True)
    assert "Hội nghị đơn vị được mời / là điểm cầu" not in organiser_html
    assert "Hội nghị đơn vị được mời" in login_as("viewer", world.c1).get("/hoi-nghi/?q=so ket").get_data(as_text=True)


def test_list_query_count_constant(world, login_as, count_queries):
    commune = login_as("officer", world.c1)

    def add(n):
        for i in range(n):
            conf = make_conference(world.bdv if i % 2 else world.d1b, title=f"Hội nghị {n}-{i}")
            conf.invitees.append(ConferenceInvitee(unit=world.c1, addressee="Bí thư"))
            conf.points.append(ConferencePoint(unit=world.c1, venue="Hội trường"))
            conf.contributions.append(ConferenceContribution(unit=world.c1, topic="Chủ đề", state="invited",
                                                             deadline=date(2026, 12, 5)))
        db.session.flush()

    add(1)
    commune.get("/hoi-nghi/")
    with count_queries() as small:
        r = commune.get("/hoi-nghi/")
    add(4)
    with count_queries() as large:
        r = commune.get("/hoi-nghi/")
    section = r.get_data(as_text=True).split("Hội nghị đơn vị được mời / là điểm cầu", 1)[1]
    assert section.split("</table>", 1)[0].count("<tr>") == 1 + 5     # head + five conferences
    assert large.count == small.count

"""Issue 13 points 1-3 through HTTP: a number serves the bytes stored at issue, edits after issue
are shown as not followed and replaced with a new number, drafts say so, signed copies kept."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from docx import Document
from PIL import Image
from pypdf import PdfReader

from danvan.core.audit import AuditEvent
from danvan.core.records import IssuedRecord
from danvan.extensions import db
from tests.test_conferences import _create, _new_data


def _text(data: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture
def officer(world, login_as):
    return login_as("officer", world.d1b)


def _invite(officer, conf, *units):
    r = officer.post_form(f"/hoi-nghi/{conf.id}/khach-moi", {"unit_ids": [u.id for u in units],
                                                              "addressee": "Đồng chí Bí thư"}, htmx=True)
    assert r.status_code == 200, r.get_data(as_text=True)[:500]


def _edit_day(officer, conf, world, day):
    r = officer.post_form(f"/hoi-nghi/{conf.id}/sua", _new_data(unit_id=world.d1b.id, day=day, version=conf.version))
    assert r.status_code == 303, r.get_data(as_text=True)[:1500]


def test_issued_number_serves_its_stored_bytes_and_a_replacement_takes_the_next(officer, world, login_as):
    conf = _create(officer, world)
    _invite(officer, conf, world.c1, world.c2)
    draft = officer.get(f"/hoi-nghi/{conf.id}/in/giay-moi.pdf")
    assert draft.headers["X-Document-State"] == "draft" and "du-thao" in draft.headers["Content-Disposition"]
    assert officer.post_form(f"/hoi-nghi/{conf.id}/ban-hanh/giay-moi").status_code == 303
    record = db.session.scalar(sa.select(IssuedRecord).where(IssuedRecord.owner_id == conf.id))
    first = officer.get(f"/hoi-nghi/{conf.id}/in/giay-moi.pdf")
    assert first.headers["X-Document-State"] == "issued"
    text = " ".join(_text(first.data))
    assert record.number_text == "1-GM/BDVHU" and "1-GM/BDVHU" in text and "10/12/2026" in text
    assert "THẢO" not in text
    commune = login_as("viewer", world.c1)
    own_before = commune.get(f"/hoi-nghi/khach-moi/{conf.invitees[0].id}/giay-moi.pdf")
    assert own_before.headers["X-Document-State"] == "issued"

    _edit_day(officer, conf, world, "11/12/2026")
    again = officer.get(f"/hoi-nghi/{conf.id}/in/giay-moi.pdf")
    assert again.data == first.data                          # same number, same bytes
    assert officer.get(f"/hoi-nghi/{conf.id}/word/giay-moi.docx").data == \
        officer.get(f"/van-ban-ban-hanh/{record.id}/ban-luu.docx").data
    own_after = commune.get(f"/hoi-nghi/khach-moi/{conf.invitees[0].id}/giay-moi.pdf")
    assert own_after.data == own_before.data and "10/12/2026" in " ".join(_text(own_after.data))
    page = officer.get(f"/hoi-nghi/{conf.id}").get_data(as_text=True)
    assert 'id="not-following"' in page and "1-GM/BDVHU" in page

    assert officer.post_form(f"/hoi-nghi/{conf.id}/thay-the/giay-moi").status_code == 303
    new = db.session.scalar(sa.select(IssuedRecord).where(IssuedRecord.owner_id == conf.id,
                                                          IssuedRecord.replaced_by_id.is_(None)))
    db.session.refresh(record)
    assert new.number_text == "2-GM/BDVHU" and record.replaced_by_id == new.id
    assert officer.get(f"/van-ban-ban-hanh/{record.id}/ban-luu.pdf").data == first.data   # the old kept
    assert "Đã được thay thế bởi số 2-GM/BDVHU" in officer.get(f"/van-ban-ban-hanh/{record.id}").get_data(as_text=True)
    latest = " ".join(_text(officer.get(f"/hoi-nghi/{conf.id}/in/giay-moi.pdf").data))
    assert "2-GM/BDVHU" in latest and "11/12/2026" in latest
    assert 'id="not-following"' not in officer.get(f"/hoi-nghi/{conf.id}").get_data(as_text=True)
    actions = set(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.object_type == "IssuedRecord")))
    assert {"issue", "replace"} <= actions


def test_draft_marked_on_every_page_and_in_the_word_header(officer, world):
    conf = _create(officer, world)
    for i in range(30):
        officer.post_form(f"/hoi-nghi/{conf.id}/chuong-trinh", {"content": f"Nội dung số {i} " * 6}, htmx=True)
    r = officer.get(f"/hoi-nghi/{conf.id}/in/chuong-trinh.pdf")
    pages = _text(r.data)
    assert r.headers["X-Document-State"] == "draft" and len(pages) >= 2
    assert all("DỰ THẢO" in p for p in pages)
    word = Document(io.BytesIO(officer.get(f"/hoi-nghi/{conf.id}/word/chuong-trinh.docx").data))
    assert "DỰ THẢO" in [p.text for p in word.sections[0].header.paragraphs]
    assert "DỰ THẢO" in [p.text for p in word.sections[0].first_page_header.paragraphs]


def _jpg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (620, 877), "white").save(out, "JPEG")
    return out.getvalue()


@pytest.mark.parametrize("name, content, message", [
    ("ban-ky.pdf", b"MZ\x90\x00not a pdf", "không đúng định dạng"),
    ("ban-ky.docx", None, "Bản ký phải là tệp PDF hoặc ảnh JPG"),
    ("ban-ky.pdf", b"", "Chưa chọn tệp"),
])
def test_signed_copy_refuses_bad_files(officer, world, name, content, message):
    conf = _create(officer, world)
    _invite(officer, conf, world.c1)
    officer.post_form(f"/hoi-nghi/{conf.id}/ban-hanh/giay-moi")
    record = db.session.scalar(sa.select(IssuedRecord).where(IssuedRecord.owner_id == conf.id))
    if content is None:
        content = officer.get(f"/hoi-nghi/{conf.id}/word/giay-moi.docx").data
    upload = (io.BytesIO(content), name) if content else (io.BytesIO(b""), "")
    r = officer.post_form(f"/van-ban-ban-hanh/{record.id}/tai-ban-ky", {"file": upload},
                          content_type="multipart/form-data")
    assert r.status_code == 422 and message in r.get_data(as_text=True)
    db.session.refresh(record)
    assert record.signed_id is None


def test_signed_copy_is_the_official_copy_in_the_packet_and_scope_holds(officer, world, login_as, packet_pdf):
    conf = _create(officer, world)
    _invite(officer, conf, world.c1)
    officer.post_form(f"/hoi-nghi/{conf.id}/ban-hanh/giay-moi")
    record = db.session.scalar(sa.select(IssuedRecord).where(IssuedRecord.owner_id == conf.id))
    r = officer.post_form(f"/van-ban-ban-hanh/{record.id}/tai-ban-ky", {"file": (io.BytesIO(_jpg()), "scan.jpg")},
                          content_type="multipart/form-data")
    assert r.status_code == 303
    scan = officer.get(f"/van-ban-ban-hanh/{record.id}/ban-ky")
    assert scan.status_code == 200 and scan.data == _jpg() and scan.headers["X-Document-State"].startswith("signed")
    packet = PdfReader(io.BytesIO(packet_pdf(officer, conf.id)))
    assert "Giấy mời số 1-GM/BDVHU (bản đã ký)" in packet.pages[0].extract_text()
    assert any(len(p.images) == 1 and p.extract_text().strip().startswith("Trang") for p in packet.pages)  # the scan
    stranger = login_as("leader", world.c3)
    assert stranger.get(f"/van-ban-ban-hanh/{record.id}").status_code == 404
    assert stranger.get(f"/van-ban-ban-hanh/{record.id}/ban-luu.pdf").status_code == 404
    commune = login_as("officer", world.c1)                  # invited, but the GM record is the organiser's
    assert commune.get(f"/van-ban-ban-hanh/{record.id}/ban-ky").status_code == 404


def test_plan_prints_as_draft_then_its_approved_number_serves_the_stored_files(world, login_as):
    from danvan.plans import documents
    from tests.test_plans import _data

    officer, leader = login_as("officer", world.c1), login_as("leader", world.d1b)
    doc = documents.create_document(world.c1, _data(summary="Kế hoạch tuyên truyền"), actor=officer.user)
    draft = officer.get(f"/van-ban/{doc.id}/pdf")
    assert draft.headers["X-Document-State"] == "draft" and all("DỰ THẢO" in p for p in _text(draft.data))
    assert 'id="draft-mark"' in officer.get(f"/van-ban/{doc.id}/in").get_data(as_text=True)
    documents.transition(doc, "submit", actor=officer.user)
    documents.transition(doc, "approve", actor=leader.user)
    issued = officer.get(f"/van-ban/{doc.id}/pdf")
    word = officer.get(f"/van-ban/{doc.id}/word")
    assert issued.headers["X-Document-State"] == "issued" and "1-KH/ĐU" in _text(issued.data)[0]
    assert "THẢO" not in " ".join(_text(issued.data))
    world.c1.name = "Phường Xuất Hóa mới"           # the source changes after approval
    doc.signer_name = "Người khác"
    db.session.flush()
    assert officer.get(f"/van-ban/{doc.id}/pdf").data == issued.data
    assert officer.get(f"/van-ban/{doc.id}/word").data == word.data
    record = db.session.scalar(sa.select(IssuedRecord).where(IssuedRecord.owner_type == "PlanDocument"))
    assert officer.get(f"/van-ban-ban-hanh/{record.id}").status_code == 200
    assert login_as("viewer", world.c3).get(f"/van-ban-ban-hanh/{record.id}").status_code == 404

"""Issue 13 point 5: the packet's printed page numbers are the ones its table of contents gives,
with issued documents taken from their stored bytes; the lists print as the invitation's attachment."""
from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from tests.test_conferences import _create


@pytest.fixture
def officer(world, login_as):
    return login_as("officer", world.d1b)


def test_packet_page_numbers_match_its_table_of_contents(officer, world, packet_pdf):
    conf = _create(officer, world, online="y", day="01/12/2026")   # held: it may be concluded
    officer.post_form(f"/hoi-nghi/{conf.id}/diem-cau", {"unit_ids": [world.c1.id, world.c2.id]}, htmx=True)
    officer.post_form(f"/hoi-nghi/{conf.id}/khach-moi", {"unit_ids": [world.c1.id], "addressee": "Đồng chí Bí thư"},
                      htmx=True)
    for i in range(25):
        officer.post_form(f"/hoi-nghi/{conf.id}/chuong-trinh", {"content": f"Nội dung {i} " * 8}, htmx=True)
    officer.post_form(f"/hoi-nghi/{conf.id}/ket-luan", {"conclusion": "Kết luận: các đơn vị đạt 78,2 % chỉ tiêu."})
    for key in ("giay-moi", "chuong-trinh", "ket-luan"):
        assert officer.post_form(f"/hoi-nghi/{conf.id}/ban-hanh/{key}").status_code == 303
    reader = PdfReader(io.BytesIO(packet_pdf(officer, conf.id)))
    pages = [p.extract_text() for p in reader.pages]
    entries = re.findall(r"^\d+\. (.+?) (\d+)$", pages[0], re.M)
    labels = [label for label, _ in entries]
    assert labels == ["Giấy mời số 1-GM/BDVHU", "Chương trình hội nghị số 1-CTr/BDVHU",
                      "Thông báo kết luận số 1-TB/BDVHU"], pages[0]
    starts = [int(page) for _, page in entries]
    assert starts[1] - starts[0] >= 2        # the invitation carries its attached list of điểm cầu
    for (label, page), title in zip(entries, ("GIẤY MỜI", "CHƯƠNG TRÌNH", "THÔNG BÁO")):
        text = pages[int(page) - 1]
        assert f"Trang {page}/{len(pages)}" in text and title in text, (label, page)
    for n, text in enumerate(pages, start=1):
        assert f"Trang {n}/{len(pages)}" in text
    invitation = "\n".join(pages[starts[0] - 1:starts[1] - 1])
    assert "Kèm theo Giấy mời số 1-GM/BDVHU" in invitation and "Số -/BDVHU" not in invitation.replace("\xa0", "")


def test_main_report_attached_goes_into_the_packet_and_bad_files_are_refused(officer, world, packet_pdf):
    conf = _create(officer, world)
    bad = officer.post_form(f"/hoi-nghi/{conf.id}/bao-cao", {"file": (io.BytesIO(b"\xff\xd8\xff\xe0jpg"), "bc.jpg")},
                            content_type="multipart/form-data")
    assert bad.status_code == 422 and "Báo cáo phải là tệp PDF hoặc Word" in bad.get_data(as_text=True)
    report = officer.get(f"/hoi-nghi/{conf.id}/in/chuong-trinh.pdf").data   # any real PDF stands for the report
    r = officer.post_form(f"/hoi-nghi/{conf.id}/bao-cao", {"file": (io.BytesIO(report), "bao-cao-so-ket.pdf")},
                          content_type="multipart/form-data")
    assert r.status_code == 303
    assert "bao-cao-so-ket.pdf" in officer.get(f"/hoi-nghi/{conf.id}").get_data(as_text=True)
    reader = PdfReader(io.BytesIO(packet_pdf(officer, conf.id)))
    assert "Báo cáo: bao-cao-so-ket.pdf" in reader.pages[0].extract_text()

"""Issue 13 points 2, 5, 7: drafts marked on every page, layout read back from the PDF's text
positions (pdftotext -bbox), DOCX page-number field and repeated header rows read with python-docx.

Long and hostile text (markup, unbroken words, many rows) goes through every generic print
template; what is asserted is where the words landed, never a picture the code made.
"""
from __future__ import annotations

import io
import subprocess

import pytest
from docx import Document
from docx.oxml.ns import qn

from danvan import printing
from danvan.printing import office, samples
from tests.test_printing import LEFT, MM, RIGHT, lines_bbox, words_bbox

HOSTILE = "<script>alert(1)</script> Đồng chí Nguyễn Thị Hồng Nhung-Phó-Trưởng-Ban-Dân-vận-Huyện-ủy"
LONG = ("Tham luận về việc nâng cao chất lượng, hiệu quả hoạt động của khối dân vận cơ sở trên địa bàn "
        "huyện Chợ Mới giai đoạn 2023–2025, đạt 78,2 % kế hoạch")


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def spec(**extra) -> dict:
    base = dict(superior="TỈNH ỦY BẮC KẠN", issuer="BAN DÂN VẬN", issuer_code="BDVTU", type_code="TB",
                number="3-TB/BDVTU", place="Bắc Kạn", issued_on=None, kind="DANH SÁCH THAM LUẬN",
                summary="Hội nghị sơ kết " + HOSTILE, subtitle="", paragraphs=[], after=[], table=None,
                recipients=["Như trên", HOSTILE, "Lưu Văn phòng"], signer_authority="K/T TRƯỞNG BAN",
                signer_title="PHÓ TRƯỞNG BAN", signer_name="Nguyễn Văn Ánh")
    return base | extra


def contributions_table(rows: int) -> dict:
    return {"columns": [("TT", 12), ("Tên tham luận", 75), ("Đơn vị", 40), ("Người trình bày", 38)],
            "rows": [[i, LONG, "Ban Dân vận Huyện ủy Chợ Mới " + HOSTILE, HOSTILE] for i in range(1, rows + 1)]}


def test_nothing_crosses_the_right_margin(ctx, tmp_path):
    """The Danh sách tham luận table used to end 4 mm from the paper's edge."""
    docs = {
        "list": printing.render_pdf("print/party_document.html", doc=spec(table=contributions_table(25))),
        "draft": printing.render_pdf("print/party_document.html",
                                     doc=spec(number=None, draft=True, paragraphs=[{"text": LONG * 3}])),
        "invitation": printing.render_pdf("print/conference_invitation.html",
                                          doc=samples.invitation(invitee=HOSTILE, notes=LONG * 4) | {"draft": True}),
    }
    for name, data in docs.items():
        lines = lines_bbox(data, tmp_path)
        assert lines, name
        for page, x0, _, x1, _, text in lines:
            assert x1 <= RIGHT + 0.3, (name, page, round(x1 / MM, 1), text)
            assert x0 >= LEFT - 0.3, (name, page, round(x0 / MM, 1), text)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in "".join(t for *_, t in lines) or \
            "<script>alert(1)</script>" in "".join(t for *_, t in lines)


def test_draft_is_marked_on_every_page_and_an_issued_number_is_not(ctx, tmp_path):
    many = [{"text": f"{i}. {LONG}"} for i in range(40)]
    draft = printing.render_pdf("print/party_document.html", doc=spec(number=None, draft=True, paragraphs=many))
    words = words_bbox(draft, tmp_path)
    pages = max(w[0] for w in words)
    assert pages >= 2
    for page in range(1, pages + 1):
        marks = [w for w in words if w[0] == page and w[3] == "THẢO"]
        assert len(marks) == 1, page
        assert marks[0][2] < 20 * MM           # in the top margin: it hides no text
    assert "3-TB/BDVTU" not in " ".join(w[3] for w in words)
    issued = printing.render_pdf("print/party_document.html", doc=spec(paragraphs=many))
    issued_words = [w[3] for w in words_bbox(issued, tmp_path)]
    assert "THẢO" not in issued_words and "3-TB/BDVTU" in issued_words


def test_signature_block_never_stands_alone_on_a_page(ctx, tmp_path):
    """Whatever the body's length, the page with the signer also carries body text above it."""
    line = "Các đơn vị chuẩn bị báo cáo kết quả thực hiện Quy chế dân chủ ở cơ sở, nêu rõ số liệu minh chứng."
    seen_two_pages = False
    for n in range(8, 14):
        data = printing.render_pdf("print/party_document.html",
                                   doc=spec(kind="THÔNG BÁO", paragraphs=[{"text": f"Đoạn {i}. {line}"}
                                                                          for i in range(n)]))
        lines = lines_bbox(data, tmp_path)
        sig_page = next(p for p, *_, t in lines if "Ánh" in t)
        seen_two_pages |= sig_page > 1
        sig_top = next(y0 for p, _, y0, *_, t in lines if p == sig_page and "Nơi nhận" in t)
        body_above = [t for p, _, y0, *_, t in lines if p == sig_page and y0 < sig_top and "Đoạn" in t]
        assert body_above, (n, sig_page)
    assert seen_two_pages   # the range reaches the page break it is about


def test_a_percentage_never_wraps_away_from_its_number(ctx, tmp_path):
    narrow = {"columns": [("TT", 10), ("Kết quả", 18), ("Ghi chú", 137)],
              "rows": [[i, f"Đạt {v} %", "—"] for i, v in enumerate(("78,2", "100", "5"), start=1)]}
    data = printing.render_pdf("print/party_document.html", doc=spec(table=narrow))
    texts = [t for *_, t in lines_bbox(data, tmp_path)]
    assert not [t for t in texts if t.startswith("%")]
    assert any(t.endswith("78,2 %") or t.endswith("78,2\u00a0%") for t in texts)


def _docx(data: bytes):
    return Document(io.BytesIO(data))


def test_docx_page_field_from_page_two_header_rows_margins_fonts(ctx):
    doc = _docx(office.docx_document(spec(table=contributions_table(40))))
    section = doc.sections[0]
    assert section.different_first_page_header_footer
    assert round(section.left_margin.mm) == 30 and round(section.right_margin.mm) == 15
    assert round(section.top_margin.mm) == 20 and round(section.bottom_margin.mm) == 20
    instr = [el.text.strip() for el in section.header._element.iter(qn("w:instrText"))]
    assert instr == ["PAGE"]
    assert not list(section.first_page_header._element.iter(qn("w:instrText")))   # none on page 1
    assert doc.styles["Normal"].font.name == "Times New Roman" and doc.styles["Normal"].font.size.pt == 14
    table = doc.tables[1]
    flags = [(row._tr.trPr.find(qn("w:tblHeader")) is not None, row._tr.trPr.find(qn("w:cantSplit")) is not None)
             for row in table.rows]
    assert flags[0] == (True, True)
    assert set(flags[1:]) == {(False, True)}
    assert "THẢO" not in "".join(p.text for p in section.header.paragraphs)


def test_docx_draft_header_on_every_page(ctx):
    doc = _docx(office.docx_document(spec(number=None, draft=True)))
    section = doc.sections[0]
    for header in (section.header, section.first_page_header):
        assert "DỰ THẢO" in [p.text for p in header.paragraphs]
    assert "3-TB/BDVTU" not in "".join(c.text for row in doc.tables[0].rows for c in row.cells)


def test_no_ink_beyond_the_right_margin(ctx, tmp_path):
    """pdftotext's word boxes add the advance of Vietnamese combining marks ("ủy," ends up to 1.4 pt
    past the line), so the ink itself is measured: poppler rasterises each page at 300 dpi and no
    dark pixel may lie past 15 mm from the right edge (one pixel of rounding allowed)."""
    from PIL import Image

    data = printing.render_pdf("print/conference_invitation.html",
                               doc=samples.invitation(invitee=HOSTILE, notes=LONG * 4))
    (tmp_path / "doc.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "300", "-gray", str(tmp_path / "doc.pdf"), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.pgm"))
    assert pages
    for path in pages:
        image = Image.open(path)
        width, height = image.size
        edge = width * (210 - 15) / 210
        ink = image.point(lambda v: 255 if v < 128 else 0).getbbox()   # box of the dark pixels
        assert ink is not None and ink[2] <= edge + 1, (path.name, round((ink[2] - edge) * 25.4 / 300, 2))
        assert ink[2] >= edge - 300 / 25.4 * 2, path.name   # justified text does reach the margin

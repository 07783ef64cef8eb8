"""The printing pipeline: Party format, fonts, page geometry, safe fetching, joins and packets."""
from __future__ import annotations

import io
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from danvan import printing
from danvan.printing import samples

INVITATION = "print/conference_invitation.html"
MM = 72 / 25.4
PAGE_W, PAGE_H = 210 * MM, 297 * MM
# Hướng dẫn 36-HD/VPTW margins (DOMAIN.md): top 20, bottom 20, left 30, right 15 mm.
TOP, BOTTOM, LEFT, RIGHT = 20 * MM, PAGE_H - 20 * MM, 30 * MM, PAGE_W - 15 * MM


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def embedded_fonts(data: bytes) -> list[tuple[str, str]]:
    """(BaseFont, family name inside the embedded font program) for every font on every page."""
    out = []
    for page in PdfReader(io.BytesIO(data)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            base = str(font["/BaseFont"])
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3") or descriptor.get("/FontFile")
            family = ""
            if program is not None:
                tt = TTFont(io.BytesIO(program.get_object().get_data()))
                family = tt["name"].getDebugName(1) or ""
            out.append((base, family))
    return out


def words_bbox(data: bytes, tmp_path) -> list[tuple[int, float, float, str]]:
    """(page, xMin, yMin, word) from pdftotext -bbox."""
    src = tmp_path / "doc.pdf"
    src.write_bytes(data)
    html = subprocess.run(["pdftotext", "-bbox", str(src), "-"], capture_output=True, text=True, check=True).stdout
    out, page = [], 0
    for line in html.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">(.*)</word>', line)
        if m:
            out.append((page, float(m.group(1)), float(m.group(2)), m.group(3)))
    return out


def lines_bbox(data: bytes, tmp_path) -> list[tuple[int, float, float, float, float, str]]:
    """(page, xMin, yMin, xMax, yMax, text) of every text line, from pdftotext -bbox-layout."""
    src = tmp_path / "doc.pdf"
    src.write_bytes(data)
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(src), "-"], capture_output=True, text=True,
                         check=True).stdout
    out, page = [], 0
    for m in re.finditer(r'<page |<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</line>',
                         xml, re.S):
        if m.group(0).startswith("<page"):
            page += 1
            continue
        text = " ".join(re.findall(r"<word [^>]*>(.*?)</word>", m.group(5)))
        out.append((page, *(float(m.group(i)) for i in range(1, 5)), text))
    return out


def _font_em() -> float:
    """Line box height of the vendored serif per point of font size (ascent + descent over units per em)."""
    tt = TTFont(Path(printing.STATIC) / "fonts" / "LiberationSerif-Regular.ttf")
    return (tt["hhea"].ascent - tt["hhea"].descent) / tt["head"].unitsPerEm


def test_invitation_text_header_number_date_nfc(ctx):
    doc = samples.invitation()
    # Decomposed input (as pasted from some editors) must print composed.
    doc["invitee"] = unicodedata.normalize("NFD", "Đồng chí Trưởng Ban Dân vận Huyện ủy Chợ Mới")
    text = pdf_text(printing.render_pdf(INVITATION, doc=doc))
    assert unicodedata.is_normalized("NFC", text)
    for expected in ("ĐẢNG CỘNG SẢN VIỆT NAM", "TỈNH ỦY BẮC KẠN", "BAN DÂN VẬN", "Số 45-GM/BDVTU",
                     "Bắc Kạn, ngày 05 tháng 7 năm 2023", "GIẤY MỜI", "Nơi nhận:",
                     "K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "Nguyễn Văn A", "Thời gian:", "13/7/2023"):
        assert expected in text, expected
    assert "Số:" not in text   # Party documents: no colon after Số
    assert "Chợ Mới" in text and unicodedata.normalize("NFD", "Chợ Mới") not in text


def test_rendering_logs_no_weasyprint_error(ctx, caplog):
    with caplog.at_level("WARNING", logger="weasyprint"):
        printing.render_pdf(INVITATION, doc=samples.invitation())
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []


def test_draft_without_number_leaves_room_for_it(ctx):
    doc = samples.invitation()
    doc.update(number=None, issued_on=None)
    text = pdf_text(printing.render_pdf(INVITATION, doc=doc))
    assert re.search(r"Số\s+-GM/BDVTU", text)
    assert re.search(r"Bắc Kạn, ngày\s+tháng\s+năm \d{4}", text)


def test_embedded_fonts_are_the_vendored_liberation_serif_only(ctx):
    data = printing.render_pdf(INVITATION, doc=samples.invitation())
    fonts = embedded_fonts(data)
    assert len(fonts) == 4  # regular, bold, italic, bold italic — no fallback font
    for base, family in fonts:
        assert re.fullmatch(r"/[A-Z]{6}\+Liberation-Serif-DV(-Bold)?(-Italic)?", base), base
        assert family == "Liberation Serif", (base, family)


def test_vendored_fonts_and_licence_are_in_static():
    fonts = Path(printing.STATIC) / "fonts"
    for style in ("Regular", "Bold", "Italic", "BoldItalic"):
        tt = TTFont(fonts / f"LiberationSerif-{style}.ttf")
        cmap = tt.getBestCmap()
        assert all(ord(ch) in cmap for ch in "ĐđƠơƯưẠạẤấỆệỮữỹ"), style   # full Vietnamese
    assert "SIL OPEN FONT LICENSE Version 1.1" in (fonts / "LICENSE-LiberationSerif.txt").read_text()


def test_a4_and_body_left_edge_at_30mm(ctx, tmp_path):
    data = printing.render_pdf(INVITATION, doc=samples.invitation())
    page = PdfReader(io.BytesIO(data)).pages[0]
    assert float(page.mediabox.width) == pytest.approx(210 * MM, abs=0.5)
    assert float(page.mediabox.height) == pytest.approx(297 * MM, abs=0.5)
    lines = lines_bbox(data, tmp_path)
    assert min(x0 for _, x0, _, _, _, _ in lines) == pytest.approx(LEFT, abs=0.6)     # 30 mm left margin
    assert max(x1 for _, _, _, x1, _, _ in lines) == pytest.approx(RIGHT, abs=0.6)    # 15 mm right margin
    # Justified body: every full line of a paragraph reaches the right margin, none crosses it.
    full = [ln for ln in lines if ln[1] == pytest.approx(LEFT, abs=0.6) and ln[3] == pytest.approx(RIGHT, abs=0.6)]
    assert len(full) >= 3, lines
    top = min(y0 for _, _, y0, _, _, _ in lines)
    assert TOP - 0.5 <= top <= TOP + 3 * MM                # 20 mm top margin: the header starts there


def test_page_numbers_from_page_two_and_repeated_table_header(ctx, tmp_path):
    rows = "".join(f"<tr><td class='num'>{i}</td><td>Xã số {i}</td><td>Hội trường UBND xã</td></tr>"
                   for i in range(1, 121))
    html = ('<html><body><h1 class="doc-type">DANH SÁCH</h1><table class="grid"><thead><tr>'
            '<th style="width:15mm">TT</th><th>Đơn vị</th><th>Địa điểm</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></body></html>")
    r = printing.renderer()
    doc = r.document(html)
    assert len(doc.pages) >= 3
    data = r.write(doc)
    words = words_bbox(data, tmp_path)
    for page in range(1, len(doc.pages) + 1):
        page_words = [w for w in words if w[0] == page]
        top_band = [w[3] for w in page_words if w[2] < 20 * MM]
        if page == 1:
            assert top_band == []                       # no number on the first page
        else:
            assert top_band == [str(page)]              # number in the top margin from page 2
        assert "Địa" in [w[3] for w in page_words]       # the table header on every page
    # 20 mm bottom margin: a full page's rows stop at it, none prints below it.
    lines = lines_bbox(data, tmp_path)
    for page in range(1, len(doc.pages)):
        bottom = max(y1 for p, _, _, _, y1, _ in lines if p == page)
        assert BOTTOM - 12 * MM < bottom <= BOTTOM + 0.5, (page, bottom / MM)


def test_url_fetcher_serves_static_only(ctx, caplog):
    fetcher = printing.make_fetcher()
    font = fetcher.fetch(printing.static_url("fonts/LiberationSerif-Regular.ttf"))
    assert font.read()[:4] == b"\x00\x01\x00\x00"
    for url in ("file:///etc/passwd", "http://127.0.0.1/", "https://example.org/a.png",
                "data:text/plain,abc", printing.STATIC_BASE + "../../../etc/passwd",
                printing.STATIC_BASE + "%2e%2e/%2e%2e/etc/passwd", printing.STATIC_BASE + "fonts/nope.ttf"):
        with pytest.raises(printing.RefusedURL):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 7


def test_file_url_in_template_and_in_user_text_is_never_fetched(ctx, caplog):
    r = printing.renderer()
    before = len(r.fetcher.refused)
    html = ('<html><body><p>Ảnh: <img src="file:///etc/passwd"> <img src="/etc/passwd">'
            '<link rel="stylesheet" href="file:///etc/passwd"></p>'
            '<p style="background: url(file:///etc/hostname)">x</p></body></html>')
    data = r.write(r.document(html))
    assert set(r.fetcher.refused[before:]) >= {"file:///etc/passwd", printing.STATIC_BASE + "etc/passwd",
                                               "file:///etc/hostname"}
    assert b"root:" not in data and b"/Subtype /Image" not in data
    # In user text the markup is printed as text, never interpreted.
    doc = samples.invitation(notes='<img src="file:///etc/passwd"> <b>đậm</b> <script>x</script>')
    before = len(r.fetcher.refused)
    data = printing.render_pdf(INVITATION, doc=doc)
    assert len(r.fetcher.refused) == before
    text = pdf_text(data)
    assert '<img src="file:///etc/passwd">' in text and "<b>đậm</b>" in text


def test_render_pdfs_joins_documents_with_bookmarks(ctx):
    parts = [(INVITATION, {"doc": samples.invitation(invitee=name), "bookmark": name})
             for name in ("Huyện ủy Ba Bể", "Huyện ủy Chợ Đồn", "Thành ủy Bắc Kạn")]
    reader = PdfReader(io.BytesIO(printing.render_pdfs(parts)))
    assert len(reader.pages) == 3
    top = [item for item in reader.outline if not isinstance(item, list)]
    assert [item.title for item in top] == ["Huyện ủy Ba Bể", "Huyện ủy Chợ Đồn", "Thành ủy Bắc Kạn"]
    assert [reader.get_destination_page_number(item) for item in top] == [0, 1, 2]
    assert "Huyện ủy Chợ Đồn" in reader.pages[1].extract_text()


def test_packet_has_toc_bookmarks_and_appended_pdf(ctx):
    appended = printing.render_pdf(INVITATION, doc=samples.invitation(invitee="Phụ lục đính kèm"))
    sections = [
        printing.Section("Giấy mời", template=INVITATION, data={"doc": samples.invitation()}),
        printing.Section("Tham luận của Huyện ủy Ba Bể", pdf=appended),
        printing.Section("Tệp hỏng", pdf=b"%PDF-1.4 broken"),
    ]
    reader = PdfReader(io.BytesIO(printing.packet(sections, title="BỘ TÀI LIỆU HỘI NGHỊ")))
    assert len(reader.pages) == 3
    toc = reader.pages[0].extract_text()
    assert "MỤC LỤC" in toc and "Tham luận của Huyện ủy Ba Bể" in toc
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles == ["Mục lục", "Giấy mời", "Tham luận của Huyện ủy Ba Bể"]
    assert "Phụ lục đính kèm" in reader.pages[2].extract_text()


def test_invitation_header_follows_the_party_format(ctx, tmp_path):
    """The layout rules of Hướng dẫn 36-HD/VPTW (DOMAIN.md), read back from the PDF's text positions."""
    lines = lines_bbox(printing.render_pdf(INVITATION, doc=samples.invitation()), tmp_path)
    assert {ln[0] for ln in lines} == {1}

    def line(text):
        (found,) = [ln for ln in lines if ln[5] == text]
        return found

    def size(ln):   # font size in points from the line box height
        return (ln[4] - ln[2]) / _font_em()

    middle = (LEFT + RIGHT) / 2

    def centre(ln):
        return (ln[1] + ln[3]) / 2
    banner, superior, issuer = line("ĐẢNG CỘNG SẢN VIỆT NAM"), line("TỈNH ỦY BẮC KẠN"), line("BAN DÂN VẬN")
    number, date = line("Số 45-GM/BDVTU"), line("Bắc Kạn, ngày 05 tháng 7 năm 2023")
    title, recipients, signer = line("GIẤY MỜI"), line("Nơi nhận:"), line("K/T TRƯỞNG BAN")
    first_body = next(ln for ln in lines if ln[5].startswith("Ban Dân vận Tỉnh ủy trân trọng kính mời"))
    # Top right the Party banner, top left the superior and issuing bodies, side by side on the first line.
    assert centre(banner) > middle and superior[3] < middle and issuer[3] < middle
    assert banner[1] > max(superior[3], issuer[3])
    assert banner[2] == pytest.approx(superior[2], abs=2) and superior[2] < TOP + 3 * MM
    # Below the issuing body its number; below the banner place and date, on the right.
    assert number[3] < middle and number[2] > issuer[4]
    assert date[1] > middle and date[2] > banner[4] and date[3] <= RIGHT + 0.6
    # The document type centred under the header, then the body; the body's first line indented.
    assert title[2] > max(number[4], date[4])
    assert centre(title) == pytest.approx(middle, abs=1)
    assert first_body[2] > title[4] and first_body[1] > LEFT + 5 * MM
    # Recipients bottom left at the margin, the signature block bottom right, below the body.
    body_end = max(ln[4] for ln in lines if ln[5].startswith("thuật tại điểm cầu"))
    assert recipients[1] == pytest.approx(LEFT, abs=0.6) and recipients[2] > body_end
    assert centre(signer) > middle and signer[3] <= RIGHT + 0.6 and signer[2] == pytest.approx(recipients[2], abs=2)
    # Sizes: banner 15 pt, bodies 14 pt, date 14 pt, document type 15–16 pt, «Nơi nhận:» 14 pt, list 12 pt.
    assert size(banner) == pytest.approx(15, abs=0.2)
    assert size(superior) == pytest.approx(14, abs=0.2) and size(issuer) == pytest.approx(14, abs=0.2)
    assert size(date) == pytest.approx(14, abs=0.2) and 15 - 0.2 <= size(title) <= 16 + 0.2
    assert size(recipients) == pytest.approx(14, abs=0.2)
    assert size(line("- Như trên,")) == pytest.approx(12, abs=0.2)
    assert 14 - 0.2 <= size(first_body) <= 15 + 0.2

"""The printing pipeline: Party format, fonts, page geometry, safe fetching, joins and packets."""
from __future__ import annotations

import io
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from PIL import Image, ImageChops, ImageStat
from pypdf import PdfReader

from danvan import printing
from danvan.printing import samples

INVITATION = "print/conference_invitation.html"
REFERENCE = Path(__file__).parent / "reference" / "printing_invitation_p1.png"
MM = 72 / 25.4


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
    words = words_bbox(data, tmp_path)
    left = min(x for _, x, _, _ in words)
    assert left == pytest.approx(30 * MM, abs=0.6)      # 30 mm left margin
    right_words = [w for w in words if w[3] == "2023."]
    assert right_words
    top = min(y for _, _, y, _ in words)
    assert top >= 20 * MM - 1                            # 20 mm top margin


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


def render_png(data: bytes, tmp_path, dpi: int = 60) -> Image.Image:
    src = tmp_path / "page.pdf"
    src.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-gray", "-f", "1", "-l", "1", "-singlefile",
                    str(src), str(tmp_path / "page")], check=True)
    return Image.open(tmp_path / "page.png").convert("L")


def test_invitation_page_one_looks_like_the_reference(ctx, tmp_path):
    """Visual check against tests/reference/printing_invitation_p1.png (pdftoppm, 60 dpi, gray)."""
    image = render_png(printing.render_pdf(INVITATION, doc=samples.invitation()), tmp_path)
    reference = Image.open(REFERENCE).convert("L")
    assert image.size == reference.size
    diff = ImageChops.difference(image, reference)
    mean = ImageStat.Stat(diff).mean[0]
    changed = sum(diff.point(lambda v: 255 if v > 64 else 0).histogram()[255:]) / (image.width * image.height)
    assert mean < 1.5, f"mean pixel difference {mean:.2f}"
    assert changed < 0.005, f"{changed:.2%} of pixels differ"
    # The comparison is sensitive: a layout shift of a few millimetres is caught.
    moved = printing.render_pdf(INVITATION, doc=samples.invitation(invitee="Đồng chí Bí thư"))
    diff2 = ImageChops.difference(render_png(moved, tmp_path), reference)
    assert sum(diff2.point(lambda v: 255 if v > 64 else 0).histogram()[255:]) / (image.width * image.height) > 0.005

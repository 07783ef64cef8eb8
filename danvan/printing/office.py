"""Word and Excel versions of printed documents, from the same plain data as the PDFs.

``docx_document(spec) -> bytes`` builds a Party-format Word file (A4, 20/20/30/15 mm margins,
Times New Roman 14 pt; Word on the offices' computers substitutes Liberation Serif metrics) from
a *spec* dict — the same keys the generic print template ``print/party_document.html`` reads:

    superior, issuer, number, type_code, issuer_code, place, issued_on (date or None),
    kind ("CHƯƠNG TRÌNH"), summary, subtitle,
    paragraphs: [{"lead": "Thời gian:", "text": "…"}, …]   (lead printed bold, optional)
    table: {"columns": [(label, width_mm), …], "rows": [[cell, …], …]} or None,
    after: [paragraph dicts after the table],
    recipients: [str], signer_authority, signer_title, signer_name,
    draft (bool: "DỰ THẢO" in the header of every page)

Like the PDF: page numbers from page 2 as a PAGE field in the header (Word counts, nothing is
typed), table header rows repeated on every page (w:tblHeader), rows not split (w:cantSplit).

``xlsx_table(title, columns, rows) -> bytes``: one sheet, a bold title row, a header row frozen
and filtered, dates and numbers as real cells (dd/mm/yyyy format), column widths in characters.
"""
from __future__ import annotations

import io
import unicodedata
from datetime import date, datetime

from danvan.core.vntext import date_line, today_local


def _nfc(value):
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE…) Word computes when it lays the document out."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "2"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText" if text == instruction else "w:t")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {text} " if text == instruction else text
        run._r.append(el)


def _row_flags(row, *, header: bool) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    flags = ["w:cantSplit"] + (["w:tblHeader"] if header else [])
    for tag in flags:
        el = OxmlElement(tag)
        el.set(qn("w:val"), "true")
        tr_pr.append(el)


def _page_headers(section, *, draft: bool) -> None:
    """Page number (a field) top centre from page 2; "DỰ THẢO" right on every page of a draft."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    section.different_first_page_header_footer = True
    section.header_distance = section.top_margin // 2
    number = section.header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(number, "PAGE")
    if draft:
        for header in (section.header, section.first_page_header):
            mark = header.add_paragraph() if header is section.header else header.paragraphs[0]
            mark.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            run = mark.add_run("DỰ THẢO")
            run.bold, run.font.size = True, Pt(14)


def docx_document(spec: dict) -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(14)
    normal.paragraph_format.space_after = Pt(3)
    _page_headers(section, draft=bool(spec.get("draft")))

    def para(container, text="", *, bold=False, italic=False, underline=False, size=14,
             align=WD_ALIGN_PARAGRAPH.CENTER, indent=False):
        p = container.add_paragraph() if hasattr(container, "add_paragraph") else container
        p.alignment = align
        if indent:
            p.paragraph_format.first_line_indent = Mm(12.7)
        if text:
            run = p.add_run(_nfc(text))
            run.bold, run.italic, run.underline = bold, italic, underline
            run.font.size = Pt(size)
        return p

    attached = bool(spec.get("attachment_of"))   # a list attached to a letter: no header, no signer
    # header: issuing body left, banner and date right
    def letterhead():
        header = doc.add_table(rows=1, cols=2)
        header.alignment = WD_TABLE_ALIGNMENT.CENTER
        left, right = header.rows[0].cells
        left.width, right.width = Mm(72), Mm(93)
        first = left.paragraphs[0]
        if spec.get("superior"):
            para(first, spec["superior"].upper())
            first = left.add_paragraph()
        para(first, spec.get("issuer", "").upper(), bold=True)
        para(left, "*")
        number = spec.get("number") or f"     -{spec.get('type_code', '')}/{spec.get('issuer_code', '')}"
        para(left, f"Số {number}")
        para(right.paragraphs[0], "ĐẢNG CỘNG SẢN VIỆT NAM", bold=True, underline=True, size=15)
        issued = spec.get("issued_on")
        line = (date_line(spec.get("place", ""), issued) if issued
                else f"{spec.get('place', '')}, ngày      tháng      năm {today_local().year}")
        para(right, line, italic=True, align=WD_ALIGN_PARAGRAPH.RIGHT)

    if not attached:
        letterhead()

    para(doc, "")
    para(doc, spec.get("kind", "").upper(), bold=True, size=16)
    if spec.get("summary"):
        para(doc, spec["summary"], bold=True)
    if spec.get("subtitle"):
        para(doc, spec["subtitle"], italic=True)
    para(doc, "")

    def body(items):
        for item in items or []:
            p = para(doc, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True)
            if item.get("lead"):
                p.add_run(_nfc(item["lead"]) + " ").bold = True
            p.add_run(_nfc(item.get("text", "")))

    body(spec.get("paragraphs"))
    table = spec.get("table")
    if table:
        columns = table["columns"]
        t = doc.add_table(rows=1, cols=len(columns))
        t.style = "Table Grid"
        _row_flags(t.rows[0], header=True)
        for cell, (label, width) in zip(t.rows[0].cells, columns):
            cell.width = Mm(width)
            para(cell.paragraphs[0], label, bold=True, size=13)
        for row in table["rows"]:
            added = t.add_row()
            _row_flags(added, header=False)
            cells = added.cells
            for cell, value, (_, width) in zip(cells, row, columns):
                cell.width = Mm(width)
                para(cell.paragraphs[0], "" if value is None else str(value), size=13,
                     align=WD_ALIGN_PARAGRAPH.LEFT)
    body(spec.get("after"))

    def closing_block():
        closing = doc.add_table(rows=1, cols=2)
        rec, sig = closing.rows[0].cells
        if spec.get("recipients"):
            para(rec.paragraphs[0], "Nơi nhận:", bold=True, italic=True, underline=True,
                 align=WD_ALIGN_PARAGRAPH.LEFT)
            items = spec["recipients"]
            for i, item in enumerate(items):
                para(rec, f"- {item}{'.' if i == len(items) - 1 else ','}", size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
        first = sig.paragraphs[0]
        for text in (spec.get("signer_authority"), spec.get("signer_title")):
            if text:
                para(first, text.upper(), bold=True)
                first = sig.add_paragraph()
        for _ in range(3):
            sig.add_paragraph()
        para(sig, spec.get("signer_name", ""), bold=True)

    if not attached:
        closing_block()

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def xlsx_table(title: str, columns: list[tuple[str, int]], rows: list[list], *, subtitle: str = "") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = _nfc(title)[:31].replace("/", "-") or "Danh sách"
    ws.append([_nfc(title)])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([_nfc(subtitle)] if subtitle else [])
    ws.append([_nfc(label) for label, _ in columns])
    head = 3
    thin = Side(style="thin")
    for i, (_, width) in enumerate(columns, start=1):
        cell = ws.cell(row=head, column=i)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
        ws.column_dimensions[get_column_letter(i)].width = width
    for row in rows:
        ws.append([_nfc(v) for v in row])
        r = ws.max_row
        for i, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=i)
            cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(value, datetime):
                cell.number_format = "DD/MM/YYYY HH:MM"
            elif isinstance(value, date):
                cell.number_format = "DD/MM/YYYY"
    ws.freeze_panes = ws.cell(row=head + 1, column=1)
    if rows:
        ws.auto_filter.ref = f"A{head}:{get_column_letter(len(columns))}{ws.max_row}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

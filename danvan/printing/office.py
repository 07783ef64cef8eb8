"""Word and Excel files: every .docx and .xlsx the app sends is written here, from plain data.

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

Spreadsheets: ``Book()`` holds sheets made by ``book.sheet(name, columns, title=…, subtitle=…)``;
``sheet.append(values)`` writes a row, ``book.lines(name, lines)`` a sheet of guidance text,
``book.bytes()`` the file. ``xlsx_table(title, columns, rows)`` is the one-sheet shortcut.
Columns are ``(label, width_in_characters)`` or ``(label, width, number_format)``.

Every cell goes through ``put()``: dates and numbers stay real cells (dd/mm/yyyy formats), text
is NFC and can never become a formula. Text another user typed that starts with ``=``, ``+``,
``-``, ``@``, tab or CR (OWASP "CSV/formula injection", ASVS 1.2.10) is stored as a string cell
with the *quotePrefix* style: Excel and LibreOffice show it as typed, with no apostrophe added to
the value, and keep it text even when someone edits the cell (the style is what a leading ``'``
typed by hand sets). Control characters XML cannot hold are dropped rather than failing the export.
"""
from __future__ import annotations

import io
import re
from datetime import date, datetime

from danvan.core.vntext import date_line, nfc, today_local

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# XML 1.0 refuses these (openpyxl and python-docx raise on them); tab, LF and CR are allowed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"


def clean_text(value):
    """NFC, without the control characters a Word or Excel file cannot hold; non-text passes."""
    if isinstance(value, str):
        return _CONTROL.sub("", nfc(value))
    return value


def formula_like(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS) or text.lstrip().startswith(FORMULA_TRIGGERS[:4])


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
            run = p.add_run(clean_text(text))
            run.bold, run.italic, run.underline = bold, italic, underline
            run.font.size = Pt(size)
        return p

    def content(spec: dict) -> None:
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
                    p.add_run(clean_text(item["lead"]) + " ").bold = True
                p.add_run(clean_text(item.get("text", "")))

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

    content(spec)
    for attachment in spec.get("attachments") or []:     # lists "kèm theo" a letter, each on a new page
        doc.add_page_break()
        content(attachment)

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def put(ws, row: int, column: int, value, number_format: str | None = None):
    """Write one cell: text inert, dates and numbers as real cells."""
    value = clean_text(value)
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"      # openpyxl would otherwise store "=…" as a formula
        if formula_like(value):
            cell.quotePrefix = True
    elif isinstance(value, datetime):
        cell.number_format = number_format or DATETIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = number_format or DATE_FORMAT
    elif number_format and value is not None:
        cell.number_format = number_format
    return cell


def sheet_name(text: str) -> str:
    """Excel's sheet names: at most 31 characters, none of []:*?/\\ ."""
    return _SHEET_NAME.sub("-", clean_text(text or "")).strip()[:31] or "Danh sách"


class Sheet:
    """A table: optional title and subtitle rows, a bold header row (frozen, filtered), then rows."""

    def __init__(self, ws, columns: list[tuple], *, title: str = "", subtitle: str = ""):
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
        from openpyxl.utils import get_column_letter

        self.ws, self.columns = ws, [(c[0], c[1], c[2] if len(c) > 2 else None) for c in columns]
        side = Side(style="thin")
        self._border = Border(top=side, bottom=side, left=side, right=side)
        self._wrap = Alignment(wrap_text=True, vertical="top")
        self.header = 1
        if title:
            put(ws, 1, 1, title).font = Font(bold=True, size=14)
            if subtitle:
                put(ws, 2, 1, subtitle)
            self.header = 3
        for i, (label, width, _) in enumerate(self.columns, start=1):
            cell = put(ws, self.header, i, label)
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="EEF0F3")
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
            cell.border = self._border
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = ws.cell(row=self.header + 1, column=1)
        self.row = self.header
        self._letter = get_column_letter

    def append(self, values: list) -> int:
        """Write the next row (None leaves a cell empty but formatted); returns its number."""
        self.row += 1
        for i, (value, (_, _, fmt)) in enumerate(zip(list(values) + [None] * len(self.columns), self.columns),
                                                start=1):
            cell = put(self.ws, self.row, i, value, fmt)
            if value is None and fmt:
                cell.number_format = fmt
            cell.border, cell.alignment = self._border, self._wrap
        return self.row

    def filter(self) -> None:
        if self.row > self.header:
            self.ws.auto_filter.ref = f"A{self.header}:{self._letter(len(self.columns))}{self.row}"


class Book:
    def __init__(self):
        from openpyxl import Workbook

        self.wb = Workbook()
        self._fresh = True     # the workbook starts with one empty sheet: use it first

    def _worksheet(self, name: str):
        if self._fresh:
            self._fresh = False
            ws = self.wb.active
            ws.title = sheet_name(name)
            return ws
        return self.wb.create_sheet(sheet_name(name))

    def sheet(self, name: str, columns: list[tuple], *, title: str = "", subtitle: str = "") -> Sheet:
        return Sheet(self._worksheet(name), columns, title=title, subtitle=subtitle)

    def lines(self, name: str, lines: list[str], width: int = 120) -> None:
        """A sheet of guidance, one line per row in column A."""
        ws = self._worksheet(name)
        for i, line in enumerate(lines, start=1):
            put(ws, i, 1, line)
        ws.column_dimensions["A"].width = width

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.wb.save(out)
        return out.getvalue()


def xlsx_table(title: str, columns: list[tuple], rows: list[list], *, subtitle: str = "",
               sheet: str | None = None) -> bytes:
    """One sheet: a bold title row, a subtitle row, the header row frozen and filtered, the rows."""
    book = Book()
    table = book.sheet(sheet or title, columns, title=title, subtitle=subtitle)
    for row in rows:
        table.append(row)
    table.filter()
    return book.bytes()

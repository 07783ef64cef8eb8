"""Printing: Party-format PDFs (Hướng dẫn 36-HD/VPTW) from plain data, with WeasyPrint.

Public API
==========
``render_pdf(template_name, **data) -> bytes``
    Render ``templates/<template_name>`` (e.g. ``"print/plan.html"``) with ``data`` and return
    the PDF. Needs a Flask app context (templates, filters). Every string in ``data`` and the
    rendered HTML are NFC-normalised. Fonts: Liberation Serif vendored in ``static/fonts/``
    (SIL OFL 1.1) through ``@font-face``; no system font is used for Vietnamese text.
``render_pdfs(parts) -> bytes``
    ``parts`` is a list of ``(template_name, data)``; the documents are laid out one by one
    (each keeps its own page numbers) and joined into one PDF. Each part's title block makes
    a bookmark; ``data["bookmark"]`` (optional) adds a top-level bookmark for the part.
``packet(sections, *, title, toc=True) -> bytes``
    A bound packet ("Bộ tài liệu"): ``sections`` is a list of ``Section(label, template=...,
    data=...)`` or ``Section(label, pdf=bytes)`` (an uploaded PDF appended as is). A table of
    contents with page numbers comes first; every section gets a PDF bookmark.
``static_url(path)``
    The address of a file under ``static/`` for ``<img src>`` in print templates (also
    available in templates as ``static_url``). The url fetcher serves nothing else: no
    ``file://``, no http(s), no ``data:``; refused addresses are logged and left out.
``docx_document()``, ``xlsx_table()``, ``Book`` (every Word and Excel file) live in ``danvan.printing.office``.

Print templates
===============
A print template extends ``print/_base.html`` and fills ``{% block document %}``; it sets
``{% block title %}`` (PDF title). The shared stylesheet ``static/css/printing.css`` gives:
A4, margins 20 mm top/bottom, 30 mm left, 15 mm right; 14 pt Liberation Serif; page numbers
top centre from page 2; ``<p class="body">`` justified with first-line indent;
``<table class="grid">`` with ``table-layout: fixed``, header rows repeated on every page
(put them in ``<thead>``), rows not split; ``.nowrap``, ``.center``, ``.right``, ``.small``.

Macros (``{% import "print/_party.html" as party %}``):

``party.header(superior, issuer, number, place, date, type_code="", issuer_code="")``
    Top left: ``superior`` (e.g. "TỈNH ỦY BẮC KẠN", 14 pt caps), ``issuer`` ("BAN DÂN VẬN",
    14 pt bold caps), "*", and "Số 12-TB/BDVTU" (``number`` as formatted by
    ``core.numbering.format_number``; no colon after Số). When ``number`` is empty (draft),
    "Số     -TB/BDVTU" is printed from ``type_code``/``issuer_code``. Top right: "ĐẢNG CỘNG
    SẢN VIỆT NAM" (15 pt bold, underlined) and the place-and-date line in italics
    (``vntext.date_line``); ``date`` None prints "ngày    tháng    năm yyyy" to fill by hand.
``party.title_block(kind, summary="", subtitle="")``
    Document type (KẾ HOẠCH, BÁO CÁO, GIẤY MỜI…; 16 pt bold caps, centred; a PDF bookmark)
    and the summary line (14 pt bold) and an optional italic subtitle.
``party.paragraphs(text)``
    Splits plain text on blank/new lines into justified ``<p class="body">`` paragraphs
    (escaped: user text never becomes HTML).
``party.signature(title, name, authority="", signed=False)``
    Right-hand signature block: ``authority`` is "T/M BAN THƯỜNG VỤ", "K/T TRƯỞNG BAN",
    "T/L TRƯỞNG BAN"… (bold caps), then ``title`` ("PHÓ TRƯỞNG BAN", bold caps), room for
    the signature ("(Đã ký)" if ``signed``), then ``name`` (bold).
``party.recipients(items)``
    "Nơi nhận:" (14 pt bold italic, underlined) and a 12 pt list, each line "- item,"; the last
    ends with ".".
``party.closing(recipients, title, name, authority="", signed=False)``
    The usual end of a document: recipients bottom left, signature bottom right, side by side.

Example (a report)::

    {% extends "print/_base.html" %}
    {% import "print/_party.html" as party %}
    {% block title %}Báo cáo {{ number }}{% endblock %}
    {% block document %}
      {{ party.header("TỈNH ỦY BẮC KẠN", "BAN DÂN VẬN", number, "Bắc Kạn", issued_on,
                      type_code="BC", issuer_code="BDVTU") }}
      {{ party.title_block("BÁO CÁO", "kết quả thực hiện …") }}
      {{ party.paragraphs(body) }}
      <table class="grid"><thead><tr><th style="width:12mm">TT</th>…</tr></thead>…</table>
      {{ party.closing(["Như trên", "Lưu Văn phòng Ban"], "TRƯỞNG BAN", "Hoàng Thu Trang",
                       authority="T/M BAN THƯỜNG VỤ") }}
    {% endblock %}

and in the view: ``return pdf_response(render_pdf("print/report.html", **data), "bao-cao.pdf")``.
"""
from __future__ import annotations

import io
import logging
import mimetypes
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import Response, current_app
from markupsafe import Markup

from danvan.config import ROOT

STATIC = (ROOT / "static").resolve()
# A made-up origin: every relative or static address in a print template resolves under it,
# and the fetcher maps it to static/. Anything else (file:, http:, data:…) is refused.
STATIC_BASE = "https://static.danvan.invalid/"
PRINT_CSS = "css/printing.css"
# User-agent defaults for print: WeasyPrint 70's html5_ua.css less what documents never use
# (~20 % faster on long lists). On every WeasyPrint upgrade, regenerate it: copy
# weasyprint/css/html5_ua.css from the new release, delete the rule groups named in the file's
# header, keep that header, check HTML._ua_stylesheets (private) still exists, then run
# tests/test_printing.py and `.venv/bin/python -m bench printing`.
PRINT_UA_CSS = "css/print-ua.css"

log = logging.getLogger("danvan.printing")


def static_url(path: str) -> str:
    return STATIC_BASE + path.lstrip("/")


def _weasy():
    import weasyprint  # imported lazily: loading Pango costs time at app start
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    return weasyprint, FontConfiguration, URLFetcher, URLFetcherResponse


class RefusedURL(ValueError):
    """A print template or user text pointed at something outside static/."""


def resolve_static(url: str) -> Path:
    """The file under static/ that `url` names, or RefusedURL."""
    if not url.startswith(STATIC_BASE):
        raise RefusedURL(f"refused URL {url[:200]!r}: only files under static/ are served")
    parts = urlsplit(url)
    path = (STATIC / unquote(parts.path).lstrip("/")).resolve()
    if not path.is_relative_to(STATIC) or not path.is_file():
        raise RefusedURL(f"refused URL {url[:200]!r}: no such file under static/")
    return path


_fetcher_class = None


def make_fetcher():
    """A WeasyPrint URL fetcher that serves only files under static/ (see resolve_static)."""
    global _fetcher_class
    if _fetcher_class is None:
        _, _, URLFetcher, URLFetcherResponse = _weasy()

        class StaticOnlyFetcher(URLFetcher):
            def __init__(self):
                super().__init__(timeout=1, allow_redirects=False)
                self.refused: list[str] = []

            def fetch(self, url, headers=None):
                try:
                    path = resolve_static(url)
                except RefusedURL as exc:
                    self.refused.append(url)
                    log.warning("%s", exc)
                    raise
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})

        _fetcher_class = StaticOnlyFetcher
    return _fetcher_class()


class _Renderer:
    """Per thread: one FontConfiguration, passed to CSS() and to render().

    Parsing the stylesheet registers the @font-face fonts in that FontConfiguration; rendering
    with another one (or none) silently drops them and prints a system font (test_printing
    checks the embedded fonts). Pango is not thread-safe, so
    each thread of a worker keeps its own pair.
    """

    def __init__(self) -> None:
        weasyprint, FontConfiguration, _, _ = _weasy()
        self.weasyprint = weasyprint
        self.fetcher = make_fetcher()
        self.font_config = FontConfiguration()
        css_text = (STATIC / PRINT_CSS).read_text(encoding="utf-8")
        self.css = weasyprint.CSS(string=css_text, base_url=static_url(PRINT_CSS),
                                  url_fetcher=self.fetcher, font_config=self.font_config)
        self.ua_css = weasyprint.CSS(string=(STATIC / PRINT_UA_CSS).read_text(encoding="utf-8"),
                                     url_fetcher=self.fetcher)

    def document(self, html: str):
        doc = self.weasyprint.HTML(string=html, base_url=STATIC_BASE, url_fetcher=self.fetcher)
        # A leaner user-agent sheet (static/css/print-ua.css): the stock one's bidi and form
        # selectors are matched against every table cell of long lists. No public option exists.
        doc._ua_stylesheets = lambda forms=False: [self.ua_css]
        return doc.render(stylesheets=[self.css], font_config=self.font_config)

    def write(self, document) -> bytes:
        out = io.BytesIO()
        # The fonts were bound at render(); Document.write_pdf takes no font_config (WeasyPrint 70
        # logs "Unknown PDF option" for it).
        document.write_pdf(out)
        return out.getvalue()


_local = threading.local()


def renderer() -> _Renderer:
    if getattr(_local, "renderer", None) is None:
        _local.renderer = _Renderer()
    return _local.renderer


def nfc_data(value):
    """NFC-normalise strings inside plain data (dicts, lists, tuples, sets)."""
    if isinstance(value, Markup):
        return Markup(unicodedata.normalize("NFC", str(value)))
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {nfc_data(k): nfc_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [nfc_data(v) for v in value]
    if isinstance(value, tuple):
        return tuple(nfc_data(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return type(value)(nfc_data(v) for v in value)
    return value


def _jinja_env():
    """The app's Jinja environment (loader, filters) plus print helpers; no request needed."""
    from danvan.core.vntext import date_line, today_local

    env = current_app.extensions.get("danvan_print_env")
    if env is None:
        env = current_app.jinja_env.overlay()
        env.globals.update(static_url=static_url, date_line=date_line,
                           current_year=lambda: today_local().year)
        current_app.extensions["danvan_print_env"] = env
    return env


# "78,2 %" typed with a space must not wrap the sign away from its number: a no-break space.
_PERCENT = re.compile(r"(\d)[ \t]+%")


def render_html(template_name: str, **data) -> str:
    html = _jinja_env().get_template(template_name).render(**nfc_data(data))
    return _PERCENT.sub("\\1\u00a0%", unicodedata.normalize("NFC", html))


def _layout(template_name: str, data: dict):
    return renderer().document(render_html(template_name, **data))


def render_pdf(template_name: str, **data) -> bytes:
    r = renderer()
    return r.write(_layout(template_name, data))


def _join(documents, labels: list[str | None]):
    """One document from several, keeping each part's pages; a top bookmark per labelled part."""
    pages = []
    for doc, label in zip(documents, labels):
        first = len(pages)
        pages.extend(doc.pages)
        if label and pages[first:]:
            # Top-level bookmark for the part; the part's own bookmarks move one level down.
            page = pages[first]
            page.bookmarks = [(1, label, (0, 0), "open")] + [
                (level + 1, text, pos, state) for level, text, pos, state in page.bookmarks]
            for p in doc.pages[1:]:
                p.bookmarks = [(level + 1, text, pos, state) for level, text, pos, state in p.bookmarks]
    return documents[0].copy(pages)


def render_pdfs(parts: list[tuple[str, dict]]) -> bytes:
    """Several documents in one PDF (packets of invitations, reports with annexes…)."""
    return render_pdfs_counted(parts)[0]


def render_pdfs_counted(parts: list[tuple[str, dict]]) -> tuple[bytes, list[int]]:
    """render_pdfs, and each part's page count (to cut one part out of the joined PDF later)."""
    if not parts:
        raise ValueError("render_pdfs needs at least one part")
    documents = [_layout(template, data) for template, data in parts]
    labels = [data.get("bookmark") for _, data in parts]
    return renderer().write(_join(documents, labels)), [len(d.pages) for d in documents]


def pdf_pages(data: bytes, ranges: list[tuple[int, int]]) -> bytes:
    """The pages (first, count), 0-based, of a stored PDF, copied as they are (no re-rendering)."""
    from pypdf import PdfReader, PdfWriter

    reader, writer = PdfReader(io.BytesIO(data)), PdfWriter()
    for first, count in ranges:
        for page in reader.pages[first:first + count]:
            writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_pdf(data: bytes) -> bytes:
    """A JPG scan (a signed copy) as a one-page A4 PDF for packets."""
    from PIL import Image

    image = Image.open(io.BytesIO(data)).convert("RGB")
    # 300 dpi over the A4 width, whatever the scan's own resolution
    dpi = max(image.width / (210 / 25.4), image.height / (297 / 25.4), 1)
    out = io.BytesIO()
    image.save(out, "PDF", resolution=dpi)
    return out.getvalue()


@dataclass
class Section:
    """A packet section: a print template with its data, or a ready PDF (bytes)."""

    label: str
    template: str | None = None
    data: dict | None = None
    pdf: bytes | None = None


def _pdf_page_count(data: bytes) -> int | None:
    from pypdf import PdfReader

    try:
        return len(PdfReader(io.BytesIO(data)).pages)
    except Exception:  # a damaged upload: leave it out, say so in the table of contents
        return None


def packet(sections: list[Section], *, title: str, subtitle: str = "", toc: bool = True) -> bytes:
    """A bound packet: cover/table of contents, then each section, with PDF bookmarks."""
    from pypdf import PdfReader, PdfWriter

    r = renderer()
    rendered = []   # (label, pdf bytes or None, page count)
    for s in sections:
        if s.template:
            doc = _layout(s.template, s.data or {})
            rendered.append((s.label, r.write(doc), len(doc.pages)))
        else:
            count = _pdf_page_count(s.pdf or b"")
            rendered.append((s.label, s.pdf if count else None, count or 0))

    toc_pdf, toc_pages = b"", 0
    if toc:
        # The table of contents' own length shifts every page number: lay it out until stable.
        for _ in range(3):
            start, entries = toc_pages + 1, []
            for label, pdf, count in rendered:
                entries.append({"label": label, "page": start if pdf else None})
                start += count
            doc = _layout("print/_toc.html", {"title": title, "subtitle": subtitle, "entries": entries})
            if len(doc.pages) == toc_pages:
                break
            toc_pages = len(doc.pages)
        toc_pdf = r.write(doc)

    writer = PdfWriter()
    page_index = 0
    if toc_pdf:
        writer.append(PdfReader(io.BytesIO(toc_pdf)), import_outline=False)
        writer.add_outline_item(title="Mục lục", page_number=0)
        page_index = toc_pages
    for label, pdf, count in rendered:
        if not pdf:
            continue
        writer.append(PdfReader(io.BytesIO(pdf)), import_outline=False)
        writer.add_outline_item(title=label, page_number=page_index)
        page_index += count
    _stamp_page_numbers(writer, title)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _stamp_page_numbers(writer, title: str) -> None:
    """Number the packet's pages as its table of contents counts them ("Trang 5/12", bottom
    centre): each document keeps its own numbering at the top, issued ones are not re-rendered."""
    from pypdf import PdfReader

    count = len(writer.pages)
    if not count:
        return
    overlay = PdfReader(io.BytesIO(render_pdf("print/_packet_pages.html", title=title, pages=count)))
    for page, stamp in zip(writer.pages, overlay.pages):
        page.merge_page(stamp)


def pdf_response(data: bytes, filename: str, *, inline: bool = True) -> Response:
    """Send a PDF; the file name is ASCII-safe in the header and UTF-8 in filename*."""
    return file_response(data, filename, "application/pdf", inline=inline)


def file_response(data: bytes, filename: str, mimetype: str, *, inline: bool = False) -> Response:
    from urllib.parse import quote

    from danvan.core.vntext import fold

    ascii_name = "".join(ch if ch.isalnum() or ch in ".-_" else "-" for ch in fold(filename)) or "tai-lieu"
    disposition = "inline" if inline else "attachment"
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}")
    response.headers["Cache-Control"] = "no-store"
    return response

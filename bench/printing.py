"""Printing: a 2-page invitation and a 300-row list through WeasyPrint (seconds each); LibreOffice
converting the same 300-row table, when `libreoffice` is on PATH, in the same run."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path


def _best(fn, n: int = 3) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _rows(n: int = 300) -> list[list]:
    return [[i, f"Mô hình “Dân vận khéo” số {i} trong phát triển kinh tế vườn hộ", f"Xã số {i % 15 + 1}",
             "Kinh tế", "Mới"] for i in range(1, n + 1)]


def run(ctx) -> None:
    from danvan import printing
    from danvan.printing import office, samples

    spec = dict(superior="HUYỆN ỦY BA BỂ", issuer="BAN DÂN VẬN", issuer_code="BDVHU", type_code="BC",
                number="12-BC/BDVHU", place="Ba Bể", issued_on=None, kind="DANH SÁCH",
                summary="mô hình “Dân vận khéo” đăng ký năm 2023", subtitle="", paragraphs=[], after=[],
                table={"columns": [("TT", 12), ("Tên mô hình", 75), ("Đơn vị", 30), ("Lĩnh vực", 25),
                                   ("Loại", 20)], "rows": _rows()},
                recipients=["Lưu"], signer_authority="", signer_title="TRƯỞNG BAN", signer_name="Ma Văn Cường")
    with ctx.app.app_context():
        printing.render_pdf("print/conference_invitation.html", doc=samples.invitation())   # fonts loaded once
        doc = samples.invitation(notes=samples.long_notes())
        pages = len(printing._layout("print/conference_invitation.html", {"doc": doc}).pages)
        two = _best(lambda: printing.render_pdf("print/conference_invitation.html", doc=doc))
        ctx.report(f"printing: invitation ({pages} pages) to PDF", round(two, 3), "s (target ≤ 0.3)")
        rows = _best(lambda: printing.render_pdf("print/party_document.html", doc=spec), 2)
        ctx.report("printing: 300-row list to PDF (WeasyPrint)", round(rows, 3), "s")
        docx_bytes = office.docx_document(spec)
    soffice = shutil.which("libreoffice") or shutil.which("soffice")
    if not soffice:
        ctx.report("printing: LibreOffice 300-row conversion", "không đo (libreoffice không có trên PATH)", "")
        return
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "list.docx"
        src.write_bytes(docx_bytes)

        def convert():
            subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", tmp, str(src)],
                           check=True, capture_output=True, timeout=120)

        lo = _best(convert, 2)
    ctx.report("printing: 300-row list to PDF (LibreOffice from .docx)", round(lo, 3), "s")
    ctx.report("printing: LibreOffice / WeasyPrint", round(lo / rows, 1), "×")

"""XLSX import against a zip bomb: a ~5 MB file whose sheet inflates to 1.2 GB must be refused
in under 2 s with under 100 MB of extra memory (issue 12, point 7). Measured in-process."""
from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

INFLATED = 1200 * 1024 * 1024


def bomb() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "x"
    plain = io.BytesIO()
    wb.save(plain)
    out = io.BytesIO()
    chunk = b" " * (8 * 1024 * 1024)
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info.filename, src.read(info.filename))
                continue
            head, tail = src.read(info.filename).split(b"<sheetData>", 1)
            with dst.open(info.filename, "w", force_zip64=True) as sheet:
                sheet.write(head + b"<sheetData>")
                for _ in range(INFLATED // len(chunk)):
                    sheet.write(chunk)
                sheet.write(tail)
    return out.getvalue()


def run(ctx) -> None:
    from danvan.initiatives import excel

    data = bomb()
    ctx.report("Tệp bom nén (sheet giải nén ra 1,2 GB)", f"{len(data) / 1e6:.1f}", "MB")
    with ctx.app.app_context():
        tracemalloc.start()
        started = time.perf_counter()
        result = excel.parse(data, None)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert not result.ok and result.problems, "the bomb was not refused"
    ctx.report("Từ chối bom nén: thời gian", f"{elapsed:.2f}", "s (yêu cầu < 2 s)")
    ctx.report("Từ chối bom nén: bộ nhớ thêm (đỉnh)", f"{peak / 1e6:.1f}", "MB (yêu cầu < 100 MB)")

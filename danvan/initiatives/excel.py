"""One Excel format for both directions: the template, the export of any filtered list, and the
import with a row-by-row report. Nothing is saved while any row is wrong."""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from danvan.core import access
from danvan.core.units import Unit
from danvan.core.vntext import fmt_number, fold, nfc
from danvan.extensions import db
from danvan.initiatives import config, registration
from danvan.initiatives.models import Initiative
from danvan.printing import office

MAX_ROWS = 5000
MAX_BYTES = 10 * 1024 * 1024
SHEET = "Dang ky"
HEADER_ROW = 1

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
        f"Tối đa {MAX_ROWS:,} dòng mỗi lần nhập.".replace(",", "."),
        "Năm: ô kiểu Số (ví dụ 2024). Ngày: ô kiểu Ngày, định dạng dd/mm/yyyy (không gõ ngày dạng văn bản).",
        "Kinh phí: ô kiểu Số, đơn vị triệu đồng.",
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


def export(stmt: sa.Select) -> bytes:
    """The filtered list in the template's columns (real date and number cells)."""
    book, table = _new_book()
    for obj in db.session.scalars(stmt.options(sa.orm.selectinload(Initiative.recognition))):
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
        raise FileRejected("Tệp lớn hơn 10 MB.")
    if not data.startswith(b"PK\x03\x04"):
        raise FileRejected("Tệp không phải là tệp Excel (.xlsx). Hãy dùng tệp mẫu tải về từ hệ thống "
                           "và lưu dưới dạng Excel Workbook (.xlsx).")
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except zipfile.BadZipFile:
        raise FileRejected("Tệp Excel bị hỏng hoặc không đọc được.") from None
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise FileRejected("Tệp là một tệp nén (.zip) đổi tên, không phải tệp Excel (.xlsx).")
    try:
        return load_workbook(io.BytesIO(data), data_only=False)
    except Exception:  # openpyxl raises many kinds of errors on damaged files
        raise FileRejected("Tệp Excel bị hỏng hoặc không đọc được.") from None


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
    if ws.merged_cells.ranges:
        ranges = ", ".join(str(r) for r in list(ws.merged_cells.ranges)[:5])
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
    data_rows = [(r[0].row, r) for r in ws.iter_rows(min_row=HEADER_ROW + 1, max_col=len(COLUMNS))
                 if not all(_is_blank(c.value) for c in r)]
    if len(data_rows) > MAX_ROWS:
        result.problems.append(ImportProblem(None, None, f"Tệp có {fmt_number(len(data_rows))} dòng dữ liệu, vượt "
                                                         f"giới hạn {fmt_number(MAX_ROWS)} dòng mỗi lần nhập; "
                                                         "hãy chia thành nhiều tệp."))
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
                if _is_blank(v):
                    values[key] = None
                elif isinstance(v, bool) or not isinstance(v, (int, float)):
                    bad(i, f"Phải là ô kiểu Số; đang là văn bản «{v}».")
                elif v < 0:
                    bad(i, "Không được là số âm.")
                else:
                    try:
                        values[key] = Decimal(str(v)).quantize(Decimal("0.01"))
                    except InvalidOperation:
                        bad(i, "Số không hợp lệ.")
            elif kind == "date":
                if _is_blank(v):
                    bad(i, "Thiếu ngày (dd/mm/yyyy).")
                elif isinstance(v, datetime):
                    values[key] = v.date()
                elif isinstance(v, date):
                    values[key] = v
                elif isinstance(v, str):
                    bad(i, f"Ngày phải là ô kiểu Ngày (dd/mm/yyyy), không phải văn bản «{v}».")
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
        if "kind" in values:
            k = kinds.get(fold(values["kind"]))
            if k is None:
                bad(idx["kind"], f"Không có loại «{values['kind']}»; chọn một trong: "
                                 + ", ".join(x.name for x in kinds.values()) + ".")
            else:
                values["kind_id"] = k.id
        if "field" in values:
            f = fields.get(fold(values["field"]))
            if f is None:
                bad(idx["field"], f"Không có lĩnh vực «{values['field']}»; chọn một trong: "
                                  + ", ".join(x.name for x in fields.values()) + ".")
            else:
                values["field_id"] = f.id
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

"""Demo province: Bắc Kạn as in 2023 (8 districts/city + 3 đảng ủy trực thuộc, 108 communes),
or the post-2025 shape (province → communes, no districts) to show the tree is data."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from danvan.core.units import Unit, add_unit
from danvan.extensions import db

PROVINCE_2023 = "Tỉnh ủy Bắc Kạn"
PROVINCE_2025 = "Tỉnh ủy Thái Nguyên"
BDV_2023 = "Ban Dân vận Tỉnh ủy"
BDV_2025 = "Ban Tuyên giáo và Dân vận Tỉnh ủy"

# (district, kind, code, communes). Names as in 2023, after the 2020 merger of communes.
DISTRICTS_2023: list[tuple[str, str, str, list[str]]] = [
    ("Thành ủy Bắc Kạn", "huyen_uy", "TU", [
        "Phường Đức Xuân", "Phường Nguyễn Thị Minh Khai", "Phường Sông Cầu", "Phường Phùng Chí Kiên",
        "Phường Xuất Hóa", "Phường Huyền Tụng", "Xã Dương Quang", "Xã Nông Thượng"]),
    ("Huyện ủy Ba Bể", "huyen_uy", "HU", [
        "Thị trấn Chợ Rã", "Xã Bành Trạch", "Xã Cao Thượng", "Xã Hà Hiệu", "Xã Hoàng Trĩ",
        "Xã Khang Ninh", "Xã Mỹ Phương", "Xã Nam Mẫu", "Xã Phúc Lộc", "Xã Quảng Khê",
        "Xã Thượng Giáo", "Xã Yến Dương", "Xã Chu Hương", "Xã Địa Linh", "Xã Đồng Phúc"]),
    ("Huyện ủy Pác Nặm", "huyen_uy", "HU", [
        "Xã Bộc Bố", "Xã Bằng Thành", "Xã Nhạn Môn", "Xã Giáo Hiệu", "Xã Xuân La", "Xã An Thắng",
        "Xã Công Bằng", "Xã Nghiên Loan", "Xã Cao Tân", "Xã Cổ Linh"]),
    ("Huyện ủy Ngân Sơn", "huyen_uy", "HU", [
        "Thị trấn Nà Phặc", "Xã Bằng Vân", "Xã Cốc Đán", "Xã Trung Hòa", "Xã Đức Vân",
        "Xã Vân Tùng", "Xã Thượng Quan", "Xã Hiệp Lực", "Xã Thuần Mang", "Xã Thượng Ân"]),
    ("Huyện ủy Bạch Thông", "huyen_uy", "HU", [
        "Thị trấn Phủ Thông", "Xã Cẩm Giàng", "Xã Cao Sơn", "Xã Đôn Phong", "Xã Dương Phong",
        "Xã Lục Bình", "Xã Mỹ Thanh", "Xã Nguyên Phúc", "Xã Quân Hà", "Xã Quang Thuận",
        "Xã Sỹ Bình", "Xã Tân Tú", "Xã Vi Hương", "Xã Vũ Muộn"]),
    ("Huyện ủy Chợ Đồn", "huyen_uy", "HU", [
        "Thị trấn Bằng Lũng", "Xã Bản Thi", "Xã Bằng Lãng", "Xã Bằng Phúc", "Xã Bình Trung",
        "Xã Đại Sảo", "Xã Đồng Thắng", "Xã Đông Viên", "Xã Lương Bằng", "Xã Nam Cường",
        "Xã Nghĩa Tá", "Xã Ngọc Phái", "Xã Phương Viên", "Xã Quảng Bạch", "Xã Tân Lập",
        "Xã Xuân Lạc", "Xã Yên Mỹ", "Xã Yên Phong", "Xã Yên Thịnh", "Xã Yên Thượng"]),
    ("Huyện ủy Chợ Mới", "huyen_uy", "HU", [
        "Thị trấn Đồng Tâm", "Xã Bình Văn", "Xã Cao Kỳ", "Xã Hòa Thành", "Xã Như Cố", "Xã Nông Hạ",
        "Xã Quảng Chu", "Xã Tân Sơn", "Xã Thanh Mai", "Xã Thanh Thịnh", "Xã Thanh Vận",
        "Xã Yên Cư", "Xã Yên Đĩnh", "Xã Yên Hân"]),
    ("Huyện ủy Na Rì", "huyen_uy", "HU", [
        "Thị trấn Yến Lạc", "Xã Côn Minh", "Xã Cư Lễ", "Xã Cường Lợi", "Xã Dương Sơn",
        "Xã Đổng Xá", "Xã Kim Hỷ", "Xã Kim Lư", "Xã Liêm Thủy", "Xã Lương Thượng",
        "Xã Quang Phong", "Xã Sơn Thành", "Xã Trần Phú", "Xã Văn Lang", "Xã Văn Minh",
        "Xã Xuân Dương", "Xã Lạng San"]),
]
DIRECT_COMMITTEES = ["Đảng ủy Khối Các cơ quan tỉnh", "Đảng ủy Khối Doanh nghiệp tỉnh",
                     "Đảng ủy Quân sự tỉnh"]

# Post-2025: districts abolished, communes merged and placed directly under the province.
COMMUNES_2025 = [
    "Phường Bắc Kạn", "Phường Đức Xuân", "Xã Phong Quang", "Xã Ba Bể", "Xã Chợ Rã", "Xã Phúc Lộc",
    "Xã Thượng Minh", "Xã Đồng Phúc", "Xã Bằng Thành", "Xã Nghiên Loan", "Xã Cao Minh",
    "Xã Ngân Sơn", "Xã Nà Phặc", "Xã Hiệp Lực", "Xã Bằng Vân", "Xã Thượng Quan", "Xã Phủ Thông",
    "Xã Cẩm Giàng", "Xã Vĩnh Thông", "Xã Bạch Thông", "Xã Chợ Đồn", "Xã Nam Cường",
    "Xã Quảng Bạch", "Xã Yên Thịnh", "Xã Yên Phong", "Xã Nghĩa Tá", "Xã Chợ Mới", "Xã Thanh Mai",
    "Xã Thanh Thịnh", "Xã Tân Kỳ", "Xã Yên Bình", "Xã Na Rì", "Xã Văn Lang", "Xã Cường Lợi",
    "Xã Trần Phú", "Xã Côn Minh", "Xã Xuân Dương",
]
VALID_2023 = date(2020, 1, 1)
VALID_2025 = date(2025, 7, 1)


def province(shape: str = "2023") -> Unit | None:
    name = PROVINCE_2023 if shape == "2023" else PROVINCE_2025
    return db.session.scalar(sa.select(Unit).where(Unit.name == name, Unit.parent_id.is_(None)))


def seed(shape: str = "2023") -> str:
    """Create the demo tree once; a second run finds it and changes nothing."""
    if province(shape) is not None:
        return "đơn vị: đã có, bỏ qua"
    if shape == "2023":
        root = add_unit(PROVINCE_2023, "tinh_uy", parent=None, code="TU", valid_from=VALID_2023)
        add_unit(BDV_2023, "ban", parent=root, code="BDVTU", valid_from=VALID_2023)
        add_unit("Ban Chỉ đạo thực hiện Quy chế dân chủ ở cơ sở tỉnh", "ban", parent=root,
                 code="BCĐ", valid_from=VALID_2023)
        communes = 0
        for name, kind, code, commune_names in DISTRICTS_2023:
            district = add_unit(name, kind, parent=root, code=code, valid_from=VALID_2023)
            ban_name = name.replace("Huyện ủy", "Ban Dân vận Huyện ủy").replace(
                "Thành ủy", "Ban Dân vận Thành ủy")
            add_unit(ban_name, "ban", parent=district, code="BDV" + code, valid_from=VALID_2023)
            for commune in commune_names:
                add_unit(commune, "xa", parent=district, code="ĐU", valid_from=VALID_2023)
                communes += 1
        for name in DIRECT_COMMITTEES:
            add_unit(name, "dang_uy_truc_thuoc", parent=root, code="ĐU", valid_from=VALID_2023)
        return f"đơn vị: 1 tỉnh, 11 đơn vị trực thuộc, {communes} xã, phường, thị trấn"
    root = add_unit(PROVINCE_2025, "tinh_uy", parent=None, code="TU", valid_from=VALID_2025)
    add_unit(BDV_2025, "ban", parent=root, code="BTGDVTU", valid_from=VALID_2025)
    for commune in COMMUNES_2025:
        add_unit(commune, "xa", parent=root, code="ĐU", valid_from=VALID_2025)
    return f"đơn vị (sau 2025): 1 tỉnh, {len(COMMUNES_2025)} xã, phường trực thuộc tỉnh"

"""Demo accounts: named logins for each role, plus an officer and a leader in every unit."""
from __future__ import annotations

import sqlalchemy as sa

from danvan.auth.models import User
from danvan.core.units import Unit
from danvan.core.vntext import fold
from danvan.extensions import db
from danvan.units import demo as units_demo

DEMO_PASSWORD = "danvan@2023"

# username, full name, title, unit name, roles — the logins printed by `make run`.
NAMED = [
    ("admin", "Quản trị hệ thống", "Chuyên viên công nghệ thông tin", units_demo.BDV_2023, ["admin"]),
    ("lanhdao.bdv", "Hoàng Thu Trang", "Trưởng Ban Dân vận Tỉnh ủy", units_demo.BDV_2023, ["leader"]),
    ("canbo.bdv", "Nguyễn Văn An", "Chuyên viên Ban Dân vận Tỉnh ủy", units_demo.BDV_2023, ["officer"]),
    ("kiemtra.bdv", "Triệu Thị Hoa", "Thành viên Đoàn kiểm tra", units_demo.BDV_2023, ["inspector"]),
    ("xem.bdv", "Lương Văn Bình", "Cán bộ theo dõi", units_demo.BDV_2023, ["viewer"]),
    ("lanhdao.babe", "Ma Văn Cường", "Trưởng Ban Dân vận Huyện ủy", "Ban Dân vận Huyện ủy Ba Bể", ["leader"]),
    ("canbo.babe", "Đặng Thị Dung", "Chuyên viên Ban Dân vận Huyện ủy", "Ban Dân vận Huyện ủy Ba Bể", ["officer"]),
    ("lanhdao.thanhpho", "Nông Văn Hải", "Trưởng Ban Dân vận Thành ủy", "Ban Dân vận Thành ủy Bắc Kạn", ["leader"]),
    ("canbo.thanhpho", "Hà Thị Lan", "Chuyên viên Ban Dân vận Thành ủy", "Ban Dân vận Thành ủy Bắc Kạn", ["officer"]),
    ("lanhdao.xuathoa", "Lý Văn Minh", "Bí thư Đảng ủy phường", "Phường Xuất Hóa", ["leader"]),
    ("canbo.xuathoa", "Bàn Thị Ngọc", "Cán bộ phụ trách dân vận", "Phường Xuất Hóa", ["officer"]),
    ("canbo.chora", "Hoàng Văn Phúc", "Cán bộ phụ trách dân vận", "Thị trấn Chợ Rã", ["officer"]),
]

_SURNAMES = ["Nguyễn", "Hoàng", "Nông", "Triệu", "Hà", "Lý", "Ma", "Đặng", "Lường", "Bế", "Dương", "Lục"]
_MIDDLE = ["Văn", "Thị", "Đức", "Thu", "Minh", "Thanh", "Ngọc", "Quang"]
_GIVEN = ["An", "Bình", "Chiến", "Dũng", "Giang", "Hằng", "Hưng", "Khánh", "Linh", "Mai", "Nam",
          "Oanh", "Phương", "Quý", "Sơn", "Thảo", "Tuấn", "Uyên", "Việt", "Xuân", "Yến"]


def _name(i: int) -> str:
    return f"{_SURNAMES[i % 12]} {_MIDDLE[(i // 12) % 8]} {_GIVEN[(i * 7) % 21]}"


_PREFIXES = ("ban dan van huyen uy ", "ban dan van thanh uy ", "dang uy khoi ", "dang uy ",
             "thi tran ", "phuong ", "xa ")


def _slug(name: str) -> str:
    key = fold(name)
    for prefix in _PREFIXES:
        if key.startswith(prefix):
            key = key[len(prefix):]
            break
    return key.replace(" ", "")[:30]


def _add(username, full_name, title, unit, roles, password_hash):
    user = User(username=username, full_name=full_name, title=title, unit=unit, active=True,
                password_hash=password_hash, session_epoch=1, is_demo=True)
    user.set_roles(roles)
    user.refresh_search_key()
    db.session.add(user)


def seed(shape: str = "2023") -> str:
    root = units_demo.province(shape)
    if root is None or shape != "2023":
        return "người dùng: chỉ tạo cho tỉnh mẫu 2023"
    if db.session.scalar(sa.select(User.id).where(User.username == "admin")):
        return "người dùng: đã có, bỏ qua"
    probe = User(username="x", full_name="x")
    probe.set_password(DEMO_PASSWORD)   # hash once: the same demo password for every account
    pw = probe.password_hash
    units = {u.name: u for u in db.session.scalars(sa.select(Unit).where(Unit.path.startswith(root.path)))}
    for username, full_name, title, unit_name, roles in NAMED:
        _add(username, full_name, title, units[unit_name], roles, pw)
    taken = {n[0] for n in NAMED}
    count, i = len(NAMED), 0
    for unit in sorted(units.values(), key=lambda u: u.path):
        # every commune, đảng ủy trực thuộc and district ban; the province's bans have named logins
        if unit.kind not in ("xa", "dang_uy_truc_thuoc", "ban") or (unit.kind == "ban" and unit.depth == 1):
            continue
        for role, prefix, title in (("officer", "canbo", "Cán bộ phụ trách dân vận"),
                                    ("leader", "lanhdao", "Lãnh đạo")):
            username = f"{prefix}.{_slug(unit.name)}"
            if username in taken and unit.name in {n[3] for n in NAMED}:
                continue  # a named demo login already covers this unit
            base, n = username, 2
            while username in taken:
                username, n = f"{base}{n}", n + 1
            taken.add(username)
            _add(username, _name(i), title, unit, [role], pw)
            i += 1
            count += 1
    return f"người dùng: {count} tài khoản, mật khẩu chung «{DEMO_PASSWORD}»"


def logins() -> list[tuple[str, str, str]]:
    return [(u, ", ".join(r), unit) for u, _, _, unit, r in NAMED]

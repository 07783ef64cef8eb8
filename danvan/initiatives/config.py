"""Dân vận khéo configuration per province: fields (lĩnh vực), kinds (loại), scoring criteria,
the feature's error type. Only the province level changes it. Deadlines are the calls'
(danvan/calls): none is configured here."""
from __future__ import annotations

import sqlalchemy as sa

from danvan.core import access
from danvan.core.errors import ServiceError
from danvan.core.units import Unit
from danvan.core.vntext import fold
from danvan.extensions import db
from danvan.initiatives.models import (
    InitiativeCriterion,
    InitiativeField,
    InitiativeKind,
)

DEFAULT_FIELDS = ["Kinh tế", "Văn hóa – xã hội", "Quốc phòng – an ninh", "Xây dựng hệ thống chính trị"]
DEFAULT_KINDS = ["Mô hình", "Điển hình cá nhân", "Điển hình tập thể"]
DEFAULT_CRITERIA = [
    ("Tính thiết thực, phù hợp với tình hình thực tế địa phương", 20),
    ("Sự tham gia, đồng thuận của nhân dân", 25),
    ("Hiệu quả kinh tế – xã hội, lợi ích mang lại cho nhân dân", 30),
    ("Khả năng duy trì, nhân rộng", 15),
    ("Hồ sơ, minh chứng đầy đủ, có số liệu cụ thể", 10),
]
ORGANISATIONS = ["Mặt trận Tổ quốc", "Hội Liên hiệp Phụ nữ", "Đoàn Thanh niên", "Hội Nông dân",
                 "Hội Cựu chiến binh", "Chính quyền", "Công an", "Quân sự", "Chi bộ", "Khối dân vận"]
REGISTERING_KINDS = ("tinh_uy", "huyen_uy", "dang_uy_truc_thuoc", "xa")


class InitiativeError(ServiceError):
    """Refused input: message for the user, field, HTTP status."""



def province_of(unit: Unit) -> Unit:
    ids = unit.ancestor_ids
    return unit if not ids or ids[0] == unit.id else db.session.get(Unit, ids[0])


def ensure_config(province: Unit) -> None:
    """Create the default fields, kinds and criteria the first time a province needs them."""
    pid = province.id
    if db.session.scalar(sa.select(InitiativeField.id).where(InitiativeField.province_id == pid).limit(1)) is None:
        for i, name in enumerate(DEFAULT_FIELDS):
            db.session.add(InitiativeField(province_id=pid, name=name, name_key=fold(name), position=i))
    if db.session.scalar(sa.select(InitiativeKind.id).where(InitiativeKind.province_id == pid).limit(1)) is None:
        for i, name in enumerate(DEFAULT_KINDS):
            db.session.add(InitiativeKind(province_id=pid, name=name, name_key=fold(name), position=i))
    if db.session.scalar(sa.select(InitiativeCriterion.id)
                         .where(InitiativeCriterion.province_id == pid).limit(1)) is None:
        for i, (name, points) in enumerate(DEFAULT_CRITERIA):
            db.session.add(InitiativeCriterion(province_id=pid, name=name, max_score=points, position=i))
    db.session.flush()


def fields_of(province_id: int, *, active_only: bool = True) -> list[InitiativeField]:
    stmt = sa.select(InitiativeField).where(InitiativeField.province_id == province_id)
    if active_only:
        stmt = stmt.where(InitiativeField.active.is_(True))
    return list(db.session.scalars(stmt.order_by(InitiativeField.position, InitiativeField.id)))


def kinds_of(province_id: int, *, active_only: bool = True) -> list[InitiativeKind]:
    stmt = sa.select(InitiativeKind).where(InitiativeKind.province_id == province_id)
    if active_only:
        stmt = stmt.where(InitiativeKind.active.is_(True))
    return list(db.session.scalars(stmt.order_by(InitiativeKind.position, InitiativeKind.id)))


def criteria_of(province_id: int, *, active_only: bool = True) -> list[InitiativeCriterion]:
    stmt = sa.select(InitiativeCriterion).where(InitiativeCriterion.province_id == province_id)
    if active_only:
        stmt = stmt.where(InitiativeCriterion.active.is_(True))
    return list(db.session.scalars(stmt.order_by(InitiativeCriterion.position, InitiativeCriterion.id)))


def _check_configure(actor) -> Unit:
    if not access.can(actor, "configure_initiatives", actor.scope):
        raise InitiativeError("Chỉ quản trị viên cấp tỉnh được thay đổi cấu hình.", status=403)
    return actor.scope


def _option_model(what: str):
    if what not in ("field", "kind"):
        raise InitiativeError("Chọn lĩnh vực hoặc loại.")
    return InitiativeField if what == "field" else InitiativeKind


def add_option(actor, what: str, name: str) -> None:
    """Add a field (lĩnh vực) or a kind (loại) to the actor's province."""
    province = _check_configure(actor)
    model = _option_model(what)
    name = (name or "").strip()
    if not name:
        raise InitiativeError("Nhập tên.", "name")
    if len(name) > 120:
        raise InitiativeError("Tên tối đa 120 ký tự.", "name")
    key = fold(name)
    existing = db.session.scalar(sa.select(model).where(model.province_id == province.id, model.name_key == key))
    if existing is not None:
        if existing.active:
            raise InitiativeError(f"«{existing.name}» đã có.", "name")
        existing.active = True
        db.session.flush()
        return
    position = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(model.position), -1))
                                 .where(model.province_id == province.id)) + 1
    db.session.add(model(province_id=province.id, name=name, name_key=key, position=position))
    db.session.flush()


def set_option_active(actor, what: str, option_id: int, active: bool) -> None:
    province = _check_configure(actor)
    model = _option_model(what)
    option = db.session.get(model, option_id)
    if option is None or option.province_id != province.id:
        raise InitiativeError("Không tìm thấy mục cấu hình.", status=404)
    if not active and len([o for o in (fields_of if what == "field" else kinds_of)(province.id) if o.active]) <= 1:
        raise InitiativeError("Phải còn ít nhất một mục đang dùng.")
    option.active = active
    db.session.flush()


def save_criteria(actor, rows: list[tuple[int | None, str, int | None]]) -> None:
    """Replace the active criteria set; rows are (existing id or None, name, max score); total must be 100."""
    province = _check_configure(actor)
    cleaned = []
    for i, (cid, name, points) in enumerate(rows, start=1):
        name = (name or "").strip()
        if not name and not points:
            continue
        if not name:
            raise InitiativeError(f"Tiêu chí {i}: nhập tên tiêu chí.")
        if len(name) > 300:
            raise InitiativeError(f"Tiêu chí {i}: tên tối đa 300 ký tự.")
        if points is None or points <= 0 or points > 100:
            raise InitiativeError(f"Tiêu chí {i}: điểm tối đa phải từ 1 đến 100.")
        cleaned.append((cid, name, points))
    if not cleaned:
        raise InitiativeError("Cần ít nhất một tiêu chí.")
    total = sum(p for _, _, p in cleaned)
    if total != 100:
        raise InitiativeError(f"Tổng điểm các tiêu chí phải bằng 100 (đang là {total}).")
    current = {c.id: c for c in criteria_of(province.id, active_only=False)}
    kept = set()
    for position, (cid, name, points) in enumerate(cleaned):
        crit = current.get(cid) if cid else None
        if crit is None:
            crit = InitiativeCriterion(province_id=province.id)
            db.session.add(crit)
        crit.name, crit.max_score, crit.position, crit.active = name, points, position, True
        if cid:
            kept.add(cid)
    for cid, crit in current.items():
        if cid not in kept:
            crit.active = False
    db.session.flush()

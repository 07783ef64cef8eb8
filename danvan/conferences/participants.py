"""Who takes part in a conference: điểm cầu (points) hosted by units, invited units and their replies.

Every unit added lies in the organiser's tree and in the actor's scope, and is still open."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from danvan.core import access
from danvan.core.errors import checked_text
from danvan.core.units import Unit, scope_root, tree_order
from danvan.core.vntext import clean, int_or_none, now_utc
from danvan.extensions import db

from .models import Conference, ConferenceInvitee, ConferencePoint
from .service import ConferenceError

POINT_KINDS = ("tinh_uy", "huyen_uy", "dang_uy_truc_thuoc", "xa", "ban")


def candidate_units(conf: Conference) -> list[Unit]:
    """Units of the organiser's tree that can host a điểm cầu or be invited."""
    root = scope_root(conf.unit)
    units = list(db.session.scalars(
        sa.select(Unit).where(Unit.path.startswith(root.path, autoescape=True), Unit.valid_to.is_(None))))
    return [u for u in tree_order(units) if u.kind in POINT_KINDS]


def units_in_scope(conf: Conference, unit_ids: list[int], actor) -> list[Unit]:
    ids = sorted({i for i in map(int_or_none, unit_ids) if i})
    if not ids:
        raise ConferenceError("Chọn ít nhất một đơn vị.", "unit_ids")
    units = list(db.session.scalars(sa.select(Unit).where(Unit.id.in_(ids))))
    root = scope_root(conf.unit)
    outside = [u for u in units if not root.contains(u) or not access.in_scope(actor, u)]
    if outside or len(units) != len(ids):
        names = ", ".join(u.name for u in outside[:3]) or "đơn vị không tồn tại"
        raise ConferenceError(f"Đơn vị nằm ngoài phạm vi của đơn vị tổ chức: {names}.", "unit_ids")
    closed = [u for u in units if u.valid_to is not None]
    if closed:
        raise ConferenceError(f"Đơn vị đã giải thể hoặc sáp nhập: {closed[0].name}.", "unit_ids")
    return units


def add_new(parts: list, units: list[Unit], make: Callable[[Unit], Any]) -> list:
    """Append a part made for each unit that has none yet (adding twice changes nothing); flush."""
    have = {p.unit_id for p in parts}
    added = [make(unit) for unit in units if unit.id not in have]
    parts.extend(added)
    db.session.flush()
    return added


def _point_fields(venue: str, contact_name: str, contact_phone: str) -> tuple[str, str, str]:
    venue, contact_name, contact_phone = clean(venue), clean(contact_name), clean(contact_phone)
    if len(venue) > 300 or len(contact_name) > 120 or len(contact_phone) > 40:
        raise ConferenceError("Địa điểm tối đa 300, người liên hệ 120, điện thoại 40 ký tự.", "venue")
    return venue, contact_name, contact_phone


def update_point(point: ConferencePoint, *, venue: str, contact_name: str, contact_phone: str,
                 version) -> ConferencePoint:
    """Edited in place (the unit stays: another unit is another điểm cầu); stale saves are refused."""
    point.check_version(version)
    venue, point.contact_name, point.contact_phone = _point_fields(venue, contact_name, contact_phone)
    point.venue = venue or f"Hội trường {point.unit.name}"
    db.session.flush()
    return point


def add_points(conf: Conference, unit_ids: list, *, venue: str = "", contact_name: str = "",
               contact_phone: str = "", actor) -> list[ConferencePoint]:
    units = units_in_scope(conf, unit_ids, actor)
    venue, contact_name, contact_phone = _point_fields(venue, contact_name, contact_phone)
    added = add_new(conf.points, units, lambda unit: ConferencePoint(
        unit=unit, venue=venue or f"Hội trường {unit.name}", contact_name=contact_name, contact_phone=contact_phone))
    if added and not conf.online:
        conf.online = True
        db.session.flush()
    return added


def attendance(invitees: list[ConferenceInvitee]) -> dict[str, int]:
    """Units that confirmed and the delegates they announced, for the organiser's heading."""
    return {"confirmed": sum(inv.confirmed for inv in invitees),
            "delegates": sum(inv.delegates or 0 for inv in invitees)}


def default_addressee(unit: Unit) -> str:
    return f"Đại diện lãnh đạo {unit.name}"


def add_invitees(conf: Conference, unit_ids: list, *, addressee: str = "", actor) -> list[ConferenceInvitee]:
    units = units_in_scope(conf, unit_ids, actor)
    addressee = checked_text(clean(addressee), "addressee", "Người được mời", 200, error=ConferenceError)
    return add_new(conf.invitees, units, lambda unit: ConferenceInvitee(
        unit=unit, addressee=(f"{addressee} {unit.name}" if addressee else default_addressee(unit))[:300]))


def confirm(inv: ConferenceInvitee, status: str, delegates: int | None, note: str, *, actor) -> None:
    if status not in ("confirmed", "declined", "pending"):
        raise ConferenceError("Chọn tham dự hoặc vắng.", "status")
    if status == "confirmed" and (delegates is None or delegates < 1):
        raise ConferenceError("Số đại biểu tham dự phải từ 1 trở lên.", "delegates")
    if delegates is not None and delegates > 500:
        raise ConferenceError("Số đại biểu tối đa 500.", "delegates")
    note = checked_text(clean(note), "note", "Ghi chú", 500, error=ConferenceError)
    inv.status = status
    inv.delegates = delegates if status == "confirmed" else 0
    inv.note = note
    inv.confirmed_at = now_utc() if status != "pending" else None
    db.session.flush()


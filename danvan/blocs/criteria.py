"""Criteria sets: a province (or district) publishes the criteria and rating thresholds its blocs and
members are evaluated on; a set used by an evaluation keeps its criteria for good."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask import abort

from danvan.blocs.models import CriteriaSet, Criterion, Evaluation
from danvan.core import access
from danvan.core.units import Unit, scope_root
from danvan.core.vntext import fmt_number, parse_decimal
from danvan.extensions import db

from .service import BlocError


def visible_sets_condition(user):
    root = scope_root(user.unit)
    return sa.or_(CriteriaSet.unit_id.in_(root.ancestor_ids or [0]), CriteriaSet.unit_id.in_(access.scope_ids(user)))


def sets_query(user) -> sa.Select:
    return (sa.select(CriteriaSet).where(visible_sets_condition(user))
            .order_by(CriteriaSet.subject, CriteriaSet.year_from.desc(), CriteriaSet.id.desc()))


def load_set_or_404(set_id: int, user) -> CriteriaSet:
    row = db.session.scalar(sa.select(CriteriaSet).where(CriteriaSet.id == set_id, visible_sets_condition(user)))
    if row is None:
        abort(404)
    return row


def parse_criteria(text: str) -> list[tuple[str, Decimal]]:
    """One criterion per line: «Nội dung | điểm tối đa». The maxima must add up to 100."""
    out = []
    for n, raw in enumerate((text or "").splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if "|" not in line:
            raise BlocError(f"Dòng {n}: viết theo dạng «Nội dung tiêu chí | điểm tối đa».", "criteria")
        title, _, points = line.rpartition("|")
        title = title.strip()
        try:
            value = parse_decimal(points)   # 12,5; 1e1, NaN, 12.5 refused
        except ValueError as exc:
            raise BlocError(f"Dòng {n}: điểm tối đa «{points.strip()[:20]}»: {exc}", "criteria") from None
        if value is None:
            raise BlocError(f"Dòng {n}: thiếu điểm tối đa.", "criteria")
        if not title:
            raise BlocError(f"Dòng {n}: thiếu nội dung tiêu chí.", "criteria")
        if len(title) > 500:
            raise BlocError(f"Dòng {n}: nội dung tiêu chí tối đa 500 ký tự.", "criteria")
        if not (0 < value <= 100) or value != value.quantize(Decimal("0.01")):
            raise BlocError(f"Dòng {n}: điểm tối đa phải lớn hơn 0, không quá 100, tối đa 2 chữ số thập phân.",
                            "criteria")
        out.append((title, value))
    if not out:
        raise BlocError("Nhập ít nhất một tiêu chí.", "criteria")
    total = sum(v for _, v in out)
    if total != 100:
        raise BlocError(f"Tổng điểm tối đa các tiêu chí phải bằng 100 (hiện là {fmt_number(float(total), 2)}).",
                        "criteria")
    return out


def _check_thresholds(data: dict) -> None:
    ex, good, ok = data.get("excellent_min"), data.get("good_min"), data.get("pass_min")
    if None in (ex, good, ok) or not (0 <= ok < good < ex <= 100):
        raise BlocError("Ngưỡng xếp loại phải tăng dần: 0 ≤ «Hoàn thành» < «Hoàn thành tốt» < «Xuất sắc» ≤ 100.",
                        "excellent_min")


def save_set(unit: Unit, row: CriteriaSet | None, data: dict, *, actor) -> CriteriaSet:
    _check_thresholds(data)
    if data.get("subject") not in ("bloc", "member"):
        raise BlocError("Chọn đối tượng áp dụng.", "subject")
    lines = parse_criteria(data.get("criteria") or "")
    if row is None:
        row = CriteriaSet(unit=unit)
        db.session.add(row)
    else:
        row.check_version(data.get("version"))
    used = row.id is not None and db.session.scalar(
        sa.select(sa.func.count()).select_from(Evaluation).where(Evaluation.set_id == row.id))
    current = [(c.title, c.max_points) for c in row.criteria]
    if used and [(t, Decimal(v)) for t, v in current] != lines:
        raise BlocError("Bộ tiêu chí đã được dùng để đánh giá nên không sửa được các tiêu chí; "
                        "hãy tạo bộ tiêu chí mới cho năm sau.", "criteria", 409)
    row.name = data["name"]
    row.subject = data["subject"]
    row.year_from = data["year_from"]
    row.excellent_min, row.good_min, row.pass_min = data["excellent_min"], data["good_min"], data["pass_min"]
    row.active = bool(data.get("active", True))
    if not used:
        row.criteria.clear()
        db.session.flush()
        for i, (title, points) in enumerate(lines, 1):
            row.criteria.append(Criterion(position=i, title=title, max_points=points))
    db.session.flush()
    return row


def applicable_set(unit: Unit, subject: str, year: int) -> CriteriaSet | None:
    return db.session.scalar(
        sa.select(CriteriaSet).where(CriteriaSet.subject == subject, CriteriaSet.active.is_(True),
                                     CriteriaSet.year_from <= year,
                                     CriteriaSet.unit_id.in_(unit.ancestor_ids or [0]))
        .order_by(CriteriaSet.year_from.desc(), CriteriaSet.id.desc()).limit(1))


# ---------------------------------------------------------------- rating


def rate(total: Decimal | float | int, criteria_set: CriteriaSet) -> str:
    """Rating key for a total in [0, 100]; anything outside is refused."""
    total = Decimal(str(total))
    if total < 0 or total > 100:
        raise BlocError("Tổng điểm phải từ 0 đến 100.", "scores")
    if total >= criteria_set.excellent_min:
        return "xuat_sac"
    if total >= criteria_set.good_min:
        return "tot"
    if total >= criteria_set.pass_min:
        return "hoan_thanh"
    return "khong"


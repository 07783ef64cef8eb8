"""Rules for 'Dân vận khéo' registrations: configuration, registration, review, recognition,
consolidation and statistics. Callable without a request; every function takes the actor."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

import sqlalchemy as sa
from flask import g, has_request_context
from sqlalchemy.orm import aliased

from danvan.core import access, audit, numbering, workflow
from danvan.core.units import Unit, scope_root
from danvan.core.vntext import TZ, fold, matches, now_utc, today_local
from danvan.core.workflow import ABOVE, SCOPE, Transition, TransitionError, Workflow
from danvan.extensions import db
from danvan.initiatives.models import (
    REGISTERED_STATES,
    STATES,
    Initiative,
    InitiativeCriterion,
    InitiativeField,
    InitiativeKind,
    InitiativeRecognition,
    InitiativeReport,
    InitiativeScore,
    InitiativeYear,
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
CALL_TITLE = "Đăng ký mô hình Dân vận khéo năm {year}"

WORKFLOW = Workflow(
    name="initiative",
    states=STATES,
    initial="draft",
    transitions=(
        Transition("submit", "Gửi đăng ký", ("draft", "returned"), "submitted", "initiatives.edit", SCOPE),
        Transition("return", "Trả lại để sửa", ("submitted", "accepted"), "returned", "initiatives.review",
                   ABOVE, comment_required=True, style="danger", validate=False),
        Transition("accept", "Tiếp nhận", ("submitted",), "accepted", "initiatives.review", ABOVE),
        Transition("recognise", "Công nhận", ("accepted",), "recognised", "initiatives.review", ABOVE),
    ),
    final=frozenset({"recognised"}),
)
# Transitions taken from the registration page (recognition is a batch with a decision).
PAGE_TRANSITIONS = ("submit", "return", "accept")


class InitiativeError(Exception):
    def __init__(self, message: str, field: str | None = None, status: int = 422):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


# ---------------------------------------------------------------- configuration

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


def may_configure(actor) -> bool:
    """Configuration is per province: only the province level (its ban staff) changes it."""
    return access.has_permission(actor, "initiatives.configure") and actor.scope.parent_id is None


def _check_configure(actor) -> Unit:
    if not may_configure(actor):
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


def deadline_for(province_id: int, year: int) -> date | None:
    return db.session.scalar(sa.select(InitiativeYear.deadline).where(
        InitiativeYear.province_id == province_id, InitiativeYear.year == year))


def set_deadline(actor, year: int, deadline: date) -> InitiativeYear:
    province = _check_configure(actor)
    if not 2000 <= year <= 2100:
        raise InitiativeError("Năm không hợp lệ.", "year")
    row = db.session.scalar(sa.select(InitiativeYear).where(
        InitiativeYear.province_id == province.id, InitiativeYear.year == year))
    if row is None:
        row = InitiativeYear(province_id=province.id, year=year, deadline=deadline)
        db.session.add(row)
    else:
        row.deadline = deadline
    db.session.flush()
    return row


def end_of_day_utc(day: date) -> datetime:
    """A deadline includes the whole day in Asia/Ho_Chi_Minh."""
    return datetime.combine(day, time.max, tzinfo=TZ)


# ---------------------------------------------------------------- registration

def registrable_units(actor) -> list[Unit]:
    """Units the actor may register for: their committee and every open unit below it."""
    root = actor.scope
    return list(db.session.scalars(access.scoped(
        sa.select(Unit).where(Unit.kind.in_(REGISTERING_KINDS), Unit.valid_to.is_(None)), Unit.id, actor)
        .order_by(Unit.path)).all()) or [root]


TEXT_FIELDS = {
    "situation": "Thực trạng, lý do",
    "goals": "Mục tiêu, tiêu chí",
    "content": "Nội dung, cách thức thực hiện",
    "area": "Địa bàn, đối tượng",
    "forces": "Lực lượng thực hiện",
    "resources": "Nguồn lực",
    "expected_results": "Kết quả dự kiến",
    "sustain": "Cách thức duy trì, nhân rộng",
}
REQUIRED_TO_SUBMIT = ("situation", "goals", "content", "area", "forces", "expected_results", "sustain")


def search_key_for(name: str, organisation: str, unit: Unit, field_: InitiativeField) -> str:
    return fold(f"{name} {organisation} {unit.name} {field_.name}")[:800]


def _apply_data(obj: Initiative, data: dict, actor) -> None:
    unit = db.session.get(Unit, data.get("unit_id") or 0)
    if unit is None or not access.in_scope(actor, unit) or unit.kind not in REGISTERING_KINDS or not unit.is_open:
        raise InitiativeError("Chọn đơn vị đăng ký trong phạm vi của bạn.", "unit_id")
    province = province_of(unit)
    year = data.get("year")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise InitiativeError("Năm đăng ký phải từ 2000 đến 2100.", "year")
    name = (data.get("name") or "").strip()
    if not name:
        raise InitiativeError("Nhập tên mô hình.", "name")
    if len(name) > 300:
        raise InitiativeError("Tên mô hình tối đa 300 ký tự.", "name")
    kind = db.session.get(InitiativeKind, data.get("kind_id") or 0)
    if kind is None or kind.province_id != province.id or not kind.active:
        raise InitiativeError("Chọn loại mô hình.", "kind_id")
    field_ = db.session.get(InitiativeField, data.get("field_id") or 0)
    if field_ is None or field_.province_id != province.id or not field_.active:
        raise InitiativeError("Chọn lĩnh vực.", "field_id")
    organisation = (data.get("organisation") or "").strip()
    if not organisation:
        raise InitiativeError("Nhập tổ chức chủ trì thực hiện.", "organisation")
    if len(organisation) > 200:
        raise InitiativeError("Tổ chức thực hiện tối đa 200 ký tự.", "organisation")
    is_new = data.get("is_new") in (True, "new", "1", 1)
    previous = None
    if not is_new and data.get("previous_id"):
        previous = db.session.get(Initiative, data["previous_id"])
        if previous is None or previous.unit_id != unit.id or previous.year != year - 1 or previous.id == obj.id:
            raise InitiativeError("Mô hình năm trước phải là mô hình của cùng đơn vị, đăng ký năm "
                                  f"{year - 1}.", "previous_id")
    start_on, end_on = data.get("start_on"), data.get("end_on")
    if start_on and end_on and end_on < start_on:
        raise InitiativeError("Ngày kết thúc không được trước ngày bắt đầu.", "end_on")
    budget = data.get("budget")
    if budget is not None and (budget < 0 or budget >= Decimal("1000000000000")):
        raise InitiativeError("Kinh phí không hợp lệ.", "budget")
    for key, label in TEXT_FIELDS.items():
        value = (data.get(key) or "").strip()
        if len(value) > 20000:
            raise InitiativeError(f"{label}: tối đa 20.000 ký tự.", key)
        setattr(obj, key, value)
    obj.unit, obj.unit_id, obj.year, obj.name = unit, unit.id, year, name
    obj.kind, obj.kind_id, obj.field, obj.field_id = kind, kind.id, field_, field_.id
    obj.organisation, obj.is_new = organisation, is_new
    obj.previous_id = previous.id if previous else None
    obj.start_on, obj.end_on, obj.budget = start_on, end_on, budget
    obj.search_key = search_key_for(name, organisation, unit, field_)


def create(data: dict, *, actor) -> Initiative:
    obj = Initiative(state="draft", created_by_id=actor.id)
    _apply_data(obj, data, actor)
    db.session.add(obj)
    db.session.flush()
    return obj


def may_edit(actor, obj: Initiative) -> bool:
    return obj.state in ("draft", "returned") and access.can(actor, "initiatives.edit", obj)


def update(obj: Initiative, data: dict, *, actor) -> Initiative:
    obj.check_version(data.get("version"))
    if not may_edit(actor, obj):
        raise InitiativeError(f"Không thể sửa khi đăng ký đang ở trạng thái «{obj.state_label}».", status=409)
    _apply_data(obj, data, actor)
    db.session.flush()
    return obj


def problems_to_submit(obj: Initiative) -> list[str]:
    missing = [TEXT_FIELDS[k] for k in REQUIRED_TO_SUBMIT if not (getattr(obj, k) or "").strip()]
    out = []
    if missing:
        out.append("Chưa điền: " + ", ".join(missing) + ".")
    if not obj.start_on or not obj.end_on:
        out.append("Chưa nhập thời gian thực hiện (ngày bắt đầu, ngày kết thúc).")
    return out


def problems_to_recognise(obj: Initiative) -> list[str]:
    if obj.total_score is None:
        return [f"«{obj.name}» chưa được chấm điểm."]
    return []


def transition(obj: Initiative, name: str, *, actor, comment: str = "") -> None:
    if name not in PAGE_TRANSITIONS:
        raise TransitionError("Thao tác không hợp lệ.", 400)
    workflow.apply(WORKFLOW, obj, name, actor=actor, comment=comment, validate=problems_to_submit)
    if name == "submit":
        obj.submitted_at = now_utc()
        _answer_calls(obj.unit, obj.year, obj, actor)
    if name == "return":
        obj.exemplary = False
    _mirror_state(obj)
    db.session.flush()


def submit_all(actor, unit_ids: list[int], year: int) -> int:
    """Send every draft of the given units for a year (after an import)."""
    rows = db.session.scalars(access.scoped(sa.select(Initiative).where(
        Initiative.unit_id.in_(unit_ids), Initiative.year == year, Initiative.state.in_(("draft", "returned"))),
        Initiative.unit_id, actor).order_by(Initiative.id)).all()
    problems = []
    for obj in rows:
        if not WORKFLOW.allowed(WORKFLOW.get("submit"), obj, actor):
            raise InitiativeError("Bạn không có quyền gửi các đăng ký này.", status=403)
        for p in problems_to_submit(obj):
            problems.append(f"«{obj.name}»: {p}")
    if problems:
        raise InitiativeError(" ".join(problems[:5]) + (f" (và {len(problems) - 5} lỗi khác)"
                                                        if len(problems) > 5 else ""))
    for obj in rows:
        transition(obj, "submit", actor=actor)
    return len(rows)


def scores_of(obj: Initiative) -> dict[int, int]:
    return dict(db.session.execute(sa.select(InitiativeScore.criterion_id, InitiativeScore.score)
                                   .where(InitiativeScore.initiative_id == obj.id)).all())


def may_review(actor, obj: Initiative) -> bool:
    return access.has_permission(actor, "initiatives.review") and workflow.relation_holds(ABOVE, actor, obj.unit)


def score(obj: Initiative, values: dict[int, int | None], *, actor) -> int:
    """Score against the province's criteria; every criterion between 0 and its maximum."""
    if not may_review(actor, obj):
        raise InitiativeError("Chỉ lãnh đạo cấp trên của đơn vị đăng ký được chấm điểm.", status=403)
    if obj.state not in ("submitted", "accepted"):
        raise InitiativeError(f"Chỉ chấm điểm đăng ký đã gửi hoặc đã tiếp nhận (đang: «{obj.state_label}»).",
                              status=409)
    criteria = criteria_of(province_of(obj.unit).id)
    errors = []
    for c in criteria:
        v = values.get(c.id)
        if v is None:
            errors.append(f"Chưa nhập điểm «{c.name}».")
        elif not 0 <= v <= c.max_score:
            errors.append(f"Điểm «{c.name}» phải từ 0 đến {c.max_score}.")
    if errors:
        raise InitiativeError(" ".join(errors))
    existing = {s.criterion_id: s for s in db.session.scalars(
        sa.select(InitiativeScore).where(InitiativeScore.initiative_id == obj.id))}
    before = obj.total_score
    for c in criteria:
        row = existing.get(c.id)
        if row is None:
            db.session.add(InitiativeScore(initiative_id=obj.id, criterion_id=c.id, score=values[c.id],
                                           scored_by_id=actor.id))
        else:
            row.score, row.scored_by_id, row.scored_at = values[c.id], actor.id, now_utc()
    obj.total_score = sum(values[c.id] for c in criteria)
    audit.record(actor, "score", obj, {"total_score": (before, obj.total_score)})
    db.session.flush()
    return obj.total_score


def set_exemplary(obj: Initiative, value: bool, *, actor) -> None:
    if not may_review(actor, obj):
        raise InitiativeError("Chỉ lãnh đạo cấp trên được chọn mô hình tiêu biểu.", status=403)
    if value and obj.state != "recognised":
        raise InitiativeError("Chỉ mô hình đã công nhận mới được chọn là tiêu biểu.", status=409)
    obj.exemplary = value
    db.session.flush()


def recognisable(actor, year: int) -> list[Initiative]:
    stmt = access.scoped(sa.select(Initiative).where(Initiative.year == year, Initiative.state == "accepted"),
                         Initiative.unit_id, actor)
    return [o for o in db.session.scalars(stmt.order_by(Initiative.unit_id, Initiative.name))
            if workflow.relation_holds(ABOVE, actor, o.unit)]


def recognise(actor, ids: list[int], *, year: int, decided_on: date, title: str) -> InitiativeRecognition:
    """One decision (Quyết định, numbered QĐ by the actor's committee) recognising a batch."""
    if not access.has_permission(actor, "initiatives.review"):
        raise InitiativeError("Bạn không có quyền công nhận.", status=403)
    if not ids:
        raise InitiativeError("Chọn ít nhất một mô hình để công nhận.", "initiative_ids")
    title = (title or "").strip() or f"Quyết định công nhận mô hình, điển hình «Dân vận khéo» năm {year}"
    if len(title) > 300:
        raise InitiativeError("Trích yếu tối đa 300 ký tự.", "title")
    if decided_on > today_local():
        raise InitiativeError("Ngày quyết định không được sau hôm nay.", "decided_on")
    rows = list(db.session.scalars(access.scoped(
        sa.select(Initiative).where(Initiative.id.in_(ids)), Initiative.unit_id, actor)))
    if len(rows) != len(set(ids)):
        raise InitiativeError("Có mô hình không tồn tại hoặc nằm ngoài phạm vi của bạn.", "initiative_ids",
                              status=404)
    problems = []
    for obj in rows:
        if obj.year != year:
            problems.append(f"«{obj.name}» đăng ký năm {obj.year}, không phải năm {year}.")
        elif obj.state != "accepted":
            problems.append(f"«{obj.name}» đang ở trạng thái «{obj.state_label}», chưa thể công nhận.")
        else:
            problems.extend(problems_to_recognise(obj))
    if problems:
        raise InitiativeError(" ".join(problems), "initiative_ids", status=409)
    issuer = actor.scope
    number = numbering.next_number(issuer.id, "QĐ", decided_on.year)
    decision = InitiativeRecognition(unit_id=issuer.id, year=year, number=number,
                                     number_text=numbering.format_number(number, "QĐ", issuer.code or "ĐU"),
                                     decided_on=decided_on, title=title, created_by_id=actor.id)
    db.session.add(decision)
    db.session.flush()
    for obj in rows:
        workflow.apply(WORKFLOW, obj, "recognise", actor=actor, comment=f"Quyết định số {decision.number_text}",
                       validate=problems_to_recognise)
        obj.recognition_id = decision.id
        _mirror_state(obj)
    db.session.flush()
    return decision


def history_chain(obj: Initiative) -> list[Initiative]:
    """The model's line through the years: earlier registrations it maintains, itself, later ones."""
    earlier, seen = [], {obj.id}
    cur = obj.previous
    while cur is not None and cur.id not in seen and len(earlier) < 20:
        earlier.append(cur)
        seen.add(cur.id)
        cur = cur.previous
    later, cur_id = [], obj.id
    for _ in range(20):
        nxt = db.session.scalar(sa.select(Initiative).where(Initiative.previous_id == cur_id)
                                .order_by(Initiative.id).limit(1))
        if nxt is None or nxt.id in seen:
            break
        later.append(nxt)
        seen.add(nxt.id)
        cur_id = nxt.id
    return list(reversed(earlier)) + [obj] + later


def previous_choices(actor, unit_id: int | None, year: int | None) -> list[Initiative]:
    if not unit_id or not year:
        return []
    stmt = access.scoped(sa.select(Initiative).where(Initiative.unit_id == unit_id, Initiative.year == year - 1),
                         Initiative.unit_id, actor)
    return list(db.session.scalars(stmt.order_by(Initiative.name).limit(500)))


# ---------------------------------------------------------------- lists and search

@dataclass
class Filters:
    q: str = ""
    year: int | None = None
    field_id: int | None = None
    kind_id: int | None = None
    state: str = ""
    unit_id: int | None = None
    is_new: str = ""          # "", "new", "maintained"
    exemplary: bool = False

    def as_args(self) -> dict:
        out = {"q": self.q, "year": self.year, "field_id": self.field_id, "kind_id": self.kind_id,
               "state": self.state, "unit_id": self.unit_id, "is_new": self.is_new,
               "exemplary": "1" if self.exemplary else None}
        return {k: v for k, v in out.items() if v not in (None, "")}


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def parse_filters(args) -> Filters:
    state = args.get("state", "")
    is_new = args.get("is_new", "")
    return Filters(q=(args.get("q") or "")[:200], year=_int(args.get("year")), field_id=_int(args.get("field_id")),
                   kind_id=_int(args.get("kind_id")), state=state if state in STATES or state == "registered" else "",
                   unit_id=_int(args.get("unit_id")), is_new=is_new if is_new in ("new", "maintained") else "",
                   exemplary=args.get("exemplary") == "1")


def list_stmt(actor, f: Filters) -> sa.Select:
    """The scoped, filtered list. Scope, search, year and unit pick the ids from the
    (unit_id, year) index alone; the other filters and the rows come after (bench: a search
    over 500.000 rows reads only the province's index entries)."""
    ids = access.scoped(sa.select(Initiative.id), Initiative.unit_id, actor)
    if (found := matches(f.q, Initiative.search_key)) is not None:
        ids = ids.where(found)
    if f.year:
        ids = ids.where(Initiative.year == f.year)
    if f.unit_id:
        unit = db.session.get(Unit, f.unit_id)
        if unit is not None:
            ids = ids.where(Initiative.unit_id.in_(sa.select(Unit.id).where(
                Unit.path.startswith(unit.path, autoescape=True))))
        else:
            ids = ids.where(sa.false())
    stmt = sa.select(Initiative).where(Initiative.id.in_(ids))
    if f.field_id:
        stmt = stmt.where(Initiative.field_id == f.field_id)
    if f.kind_id:
        stmt = stmt.where(Initiative.kind_id == f.kind_id)
    if f.state == "registered":
        stmt = stmt.where(Initiative.state.in_(REGISTERED_STATES))
    elif f.state:
        stmt = stmt.where(Initiative.state == f.state)
    if f.is_new:
        stmt = stmt.where(Initiative.is_new.is_(f.is_new == "new"))
    if f.exemplary:
        stmt = stmt.where(Initiative.exemplary.is_(True))
    # Newest first within a year. Not by id alone: PostgreSQL would walk the primary key
    # backwards through every province instead of reading the scope's units (bench).
    return stmt.order_by(Initiative.year.desc(), Initiative.created_at.desc(), Initiative.id.desc())


def years_in_scope(actor) -> list[int]:
    """Years with registrations in scope, and the current year; once per request."""
    cache = g.setdefault("initiative_years", {}) if has_request_context() else {}
    if actor.id not in cache:
        years = db.session.scalars(access.scoped(sa.select(Initiative.year).distinct(), Initiative.unit_id, actor)
                                   .order_by(Initiative.year.desc())).all()
        cache[actor.id] = sorted(set(years) | {today_local().year}, reverse=True)
    return cache[actor.id]


# ---------------------------------------------------------------- consolidation and statistics

@dataclass
class UnitRow:
    unit: Unit | None            # None: the committee's own level (its own registrations)
    label: str
    registered: int = 0
    recognised: int = 0
    drafts: int = 0
    new: int = 0
    maintained: int = 0
    late: int = 0
    by_field: dict[int, int] = field(default_factory=dict)
    report: InitiativeReport | None = None
    report_status: str = ""      # "on_time", "late", "missing", "pending", ""
    sent_at: datetime | None = None
    missing_fields: list[str] = field(default_factory=list)


@dataclass
class Statistics:
    root: Unit
    year: int
    fields: list[InitiativeField]
    rows: list[UnitRow]
    totals: UnitRow
    deadline: date | None
    by_year: dict[int, dict[int, int]]     # year -> field_id -> registered
    by_year_new: dict[int, tuple[int, int, int]]  # year -> (registered, new, recognised)
    own_report: InitiativeReport | None
    reporting: bool                        # the rows are reporting units that send lists up
    call: object | None = None             # the plans feature's call for the year, if any

    @property
    def late_units(self) -> list[UnitRow]:
        return [r for r in self.rows if r.report_status in ("late", "missing") or r.late]

    @property
    def uneven_units(self) -> list[UnitRow]:
        return [r for r in self.rows if r.missing_fields and r.unit is not None]


def child_units(root: Unit) -> list[Unit]:
    """The units a committee consolidates: its open children that register (not its bans)."""
    return list(db.session.scalars(sa.select(Unit).where(
        Unit.parent_id == root.id, Unit.kind.in_(REGISTERING_KINDS), Unit.valid_to.is_(None))
        .order_by(Unit.kind, Unit.name)))


def statistics(actor, year: int, root: Unit | None = None) -> Statistics:
    """Counts per child unit × field for one year, and per year × field, aggregated in SQL."""
    root = root or actor.scope
    if not access.in_scope(actor, root):
        raise InitiativeError("Đơn vị nằm ngoài phạm vi của bạn.", status=404)
    province = province_of(root)
    fields = fields_of(province.id, active_only=False)
    children = child_units(root)
    reporting = any(c.kind in ("huyen_uy", "dang_uy_truc_thuoc") for c in children)
    call = call_issued_by(root, year)
    deadline = call.deadline if call is not None else deadline_for(province.id, year)

    reg_unit, anc = aliased(Unit), aliased(Unit)
    per_unit = (sa.select(Initiative.unit_id.label("unit_id"), Initiative.field_id.label("field_id"),
                          Initiative.is_new.label("is_new"), Initiative.state.label("state"),
                          sa.func.count().label("n"),
                          sa.func.sum(sa.case((Initiative.submitted_at > end_of_day_utc(deadline), 1), else_=0)
                                      if deadline else sa.literal(0)).label("late"))
                .where(Initiative.year == year,
                       Initiative.unit_id.in_(sa.select(Unit.id).where(Unit.path.startswith(root.path,
                                                                                             autoescape=True))))
                .group_by(Initiative.unit_id, Initiative.field_id, Initiative.is_new, Initiative.state)
                .subquery())
    # Map each registering unit to the child of root it lies under (or root itself).
    stmt = (sa.select(anc.id, per_unit.c.field_id, per_unit.c.is_new, per_unit.c.state,
                      sa.func.sum(per_unit.c.n), sa.func.sum(per_unit.c.late))
            .select_from(per_unit)
            .join(reg_unit, reg_unit.id == per_unit.c.unit_id)
            .outerjoin(anc, sa.and_(anc.parent_id == root.id, anc.kind.in_(REGISTERING_KINDS),
                                    reg_unit.path.like(anc.path + "%")))
            .group_by(anc.id, per_unit.c.field_id, per_unit.c.is_new, per_unit.c.state))
    rows_by_id: dict[int | None, UnitRow] = {c.id: UnitRow(unit=c, label=c.name) for c in children}
    own = UnitRow(unit=None, label=f"Cấp {root.name} (đăng ký trực tiếp)")
    totals = UnitRow(unit=None, label="Tổng cộng")
    for anc_id, field_id, is_new, state, n, late in db.session.execute(stmt):
        row = rows_by_id.get(anc_id) or own
        n, late = int(n or 0), int(late or 0)
        for target in (row, totals):
            if state == "draft":
                target.drafts += n
                continue
            target.registered += n
            target.late += late
            if state == "recognised":
                target.recognised += n
            if is_new:
                target.new += n
            else:
                target.maintained += n
            target.by_field[field_id] = target.by_field.get(field_id, 0) + n
    reports = {r.unit_id: r for r in db.session.scalars(sa.select(InitiativeReport).where(
        InitiativeReport.year == year, InitiativeReport.unit_id.in_([c.id for c in children] + [root.id])))}
    active_fields = [f for f in fields if f.active]
    tracked = {}
    if call is not None:
        tracked = {r.unit.id: r for r in _calls().tracking(call).rows}
    for c in children:
        row = rows_by_id[c.id]
        if row.registered:   # a unit with nothing registered is flagged as missing, not as uneven
            row.missing_fields = [f.name for f in active_fields if not row.by_field.get(f.id)]
        if c.id in tracked:
            t = tracked[c.id]
            row.report = reports.get(c.id)
            row.report_status = ("late" if t.late else "on_time") if t.has_filed else (
                "missing" if today_local() > t.deadline else "pending")
            row.sent_at = t.submitted_at
        elif c.kind in ("huyen_uy", "dang_uy_truc_thuoc"):
            row.report = reports.get(c.id)
            row.report_status = report_status(row.report, deadline)
            row.sent_at = row.report.sent_at if row.report else None
    out_rows = list(rows_by_id.values())
    if own.registered or own.drafts:
        out_rows.append(own)
    # Trend over the years, same scope.
    trend = (sa.select(Initiative.year, Initiative.field_id, Initiative.is_new, Initiative.state, sa.func.count())
             .where(Initiative.unit_id.in_(sa.select(Unit.id).where(Unit.path.startswith(root.path,
                                                                                         autoescape=True))),
                    Initiative.state.in_(REGISTERED_STATES))
             .group_by(Initiative.year, Initiative.field_id, Initiative.is_new, Initiative.state))
    by_year: dict[int, dict[int, int]] = defaultdict(dict)
    by_year_new: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for y, field_id, is_new, state, n in db.session.execute(trend):
        by_year[y][field_id] = by_year[y].get(field_id, 0) + n
        acc = by_year_new[y]
        acc[0] += n
        acc[1] += n if is_new else 0
        acc[2] += n if state == "recognised" else 0
    return Statistics(root=root, year=year, fields=fields, rows=out_rows, totals=totals, deadline=deadline,
                      by_year=dict(sorted(by_year.items())),
                      by_year_new={y: tuple(v) for y, v in sorted(by_year_new.items())},
                      own_report=reports.get(root.id), reporting=reporting or bool(tracked), call=call)


def report_status(report: InitiativeReport | None, deadline: date | None) -> str:
    if report is None:
        return "missing" if deadline is not None and today_local() > deadline else "pending"
    if deadline is not None and report.sent_at > end_of_day_utc(deadline):
        return "late"
    return "on_time"


def may_send_report(actor) -> bool:
    return (access.has_permission(actor, "initiatives.edit")
            and actor.scope.kind in ("huyen_uy", "dang_uy_truc_thuoc"))


def send_report(actor, year: int, note: str = "") -> InitiativeReport:
    """The district sends its consolidated list of the year up (again: the figures are refreshed)."""
    if not may_send_report(actor):
        raise InitiativeError("Chỉ huyện ủy, thành ủy, đảng ủy trực thuộc gửi danh sách tổng hợp lên tỉnh.",
                              status=403)
    if len(note or "") > 4000:
        raise InitiativeError("Ghi chú tối đa 4.000 ký tự.", "note")
    root = actor.scope
    stats = statistics(actor, year, root)
    t = stats.totals
    if t.registered == 0:
        raise InitiativeError(f"Chưa có đăng ký nào đã gửi trong năm {year} để tổng hợp.", status=409)
    waiting = db.session.scalar(sa.select(sa.func.count()).select_from(Initiative).where(
        Initiative.year == year, Initiative.state == "submitted",
        Initiative.unit_id.in_(sa.select(Unit.id).where(Unit.path.startswith(root.path, autoescape=True)))))
    if waiting:
        raise InitiativeError(f"Còn {waiting} đăng ký chưa được xem xét (tiếp nhận hoặc trả lại); "
                              "hãy xử lý trước khi gửi danh sách tổng hợp.", status=409)
    report = db.session.scalar(sa.select(InitiativeReport).where(InitiativeReport.unit_id == root.id,
                                                                 InitiativeReport.year == year))
    if report is None:
        report = InitiativeReport(unit_id=root.id, year=year, sent_at=now_utc(), sent_by_id=actor.id)
        db.session.add(report)
    report.total, report.new_count, report.maintained_count = t.registered, t.new, t.maintained
    report.recognised_count, report.note = t.recognised, (note or "").strip()
    db.session.flush()
    audit.record(actor, "send_consolidated", report, {"total": (None, t.registered)})
    _answer_calls(root, year, report, actor)
    return report


# ---------------------------------------------------------------- calls (plans feature)
# A call "Đăng ký mô hình Dân vận khéo năm N" (kind initiative_registration) is answered by a
# target unit's registrations (when the target registers itself, e.g. communes answering their
# district's call) and by a district's consolidated list (answering the province's call).

SUBMISSION_STATE = {"draft": "draft", "submitted": "submitted", "returned": "returned",
                    "accepted": "approved", "recognised": "approved"}


def _calls():
    try:
        from danvan.plans import calls
    except ImportError:  # the plans feature is optional
        return None
    return calls


def calls_answered_by(unit: Unit, year: int) -> list:
    """Open registration calls of the year that target `unit`."""
    calls = _calls()
    if calls is None:
        return []
    from danvan.plans.models import PlanCall, PlanCallTarget

    return list(db.session.scalars(
        sa.select(PlanCall).join(PlanCallTarget, PlanCallTarget.call_id == PlanCall.id)
        .where(PlanCallTarget.unit_id == unit.id, PlanCall.kind == "initiative_registration",
               PlanCall.archived_at.is_(None), PlanCall.search_key.like(f"%nam {year}%"))
        .order_by(PlanCall.id)))


def call_issued_by(root: Unit, year: int):
    """The registration call of the year issued by `root` (or one of its bans), if any."""
    if _calls() is None:
        return None
    from danvan.plans.models import PlanCall

    issuers = sa.select(Unit.id).where(sa.or_(Unit.id == root.id,
                                              sa.and_(Unit.parent_id == root.id, Unit.kind == "ban")))
    return db.session.scalar(sa.select(PlanCall).where(
        PlanCall.unit_id.in_(issuers), PlanCall.kind == "initiative_registration", PlanCall.archived_at.is_(None),
        PlanCall.search_key.like(f"%nam {year}%")).order_by(PlanCall.id.desc()).limit(1))


def _answer_calls(unit: Unit, year: int, obj, actor) -> None:
    calls = _calls()
    for call in calls_answered_by(unit, year):
        calls.record_submission(call, unit, obj, actor=actor, state="submitted")


def _mirror_state(obj: Initiative) -> None:
    calls = _calls()
    if calls is not None:
        calls.update_submission_state(obj, SUBMISSION_STATE[obj.state])


# ---------------------------------------------------------------- unit merges

OPEN_STATES = ("draft", "returned", "submitted")


def move_open_work(old: Unit, new: Unit) -> int:
    """A merged unit's unfinished registrations follow it to the successor; the rest stays as history."""
    rows = list(db.session.scalars(sa.select(Initiative).where(Initiative.unit_id == old.id,
                                                               Initiative.state.in_(OPEN_STATES))))
    for obj in rows:
        obj.unit_id, obj.unit = new.id, new
        obj.search_key = search_key_for(obj.name, obj.organisation, new, obj.field)
    db.session.flush()
    return len(rows)


# ---------------------------------------------------------------- dashboard

def panel_context(actor) -> dict:
    if not access.has_permission(actor, "initiatives.view"):
        return {}
    waiting = 0
    if access.has_permission(actor, "initiatives.review"):
        stmt = access.scoped(sa.select(sa.func.count()).select_from(Initiative).where(
            Initiative.state == "submitted", Initiative.unit_id != actor.scope.id,
            Initiative.unit_id != actor.unit_id), Initiative.unit_id, actor)
        waiting = db.session.scalar(stmt) or 0
    returned = db.session.scalar(access.scoped(sa.select(sa.func.count()).select_from(Initiative).where(
        Initiative.state == "returned"), Initiative.unit_id, actor)) or 0
    return {"waiting": waiting, "returned": returned, "year": today_local().year}


def scope_label(actor) -> str:
    return scope_root(actor.unit).name
